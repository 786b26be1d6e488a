import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { ArtifactKind } from './artifact-kinds';

/** `pending`: written by a job that has not succeeded yet (invisible); `ready`: visible to the team. */
export const ARTIFACT_STATUSES = ['pending', 'ready'] as const;
export type ArtifactStatus = (typeof ARTIFACT_STATUSES)[number];

/** Something a job produced for later jobs and users: one file on disk, metadata here. */
@Entity({ name: 'artifacts' })
@Index('artifacts_team_page', ['teamId', 'createdAt', 'id'])
export class Artifact {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @Column({ type: 'text' })
  kind!: ArtifactKind;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'media_type', type: 'text' })
  mediaType!: string;

  /** SHA-256 (hex) of the stored file. */
  @Column({ type: 'text' })
  sha256!: string;

  @Column({ name: 'size_bytes', type: 'bigint' })
  sizeBytes!: string;

  /** The job that produced it (null once that job is deleted, or for artefacts made otherwise). */
  @Column({ name: 'job_id', type: 'uuid', nullable: true })
  jobId!: string | null;

  @Column({ type: 'text' })
  status!: ArtifactStatus;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  meta!: Record<string, unknown>;

  /** File relative to the storage root. */
  @Column({ name: 'storage_path', type: 'text' })
  storagePath!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** An artefact a job reads (declared by its kind): while the job is queued or running the artefact cannot be deleted. */
@Entity({ name: 'job_artifact_inputs' })
export class JobArtifactInput {
  @PrimaryColumn({ name: 'job_id', type: 'uuid' })
  jobId!: string;

  @PrimaryColumn({ name: 'artifact_id', type: 'uuid' })
  artifactId!: string;

  /** The spec field that names it, e.g. `spec.initFrom`. */
  @Column({ type: 'text' })
  field!: string;
}
