import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const JOB_EVENT_TYPES = ['created', 'started', 'progress', 'checkpoint', 'retry', 'succeeded', 'failed', 'cancel_requested', 'cancelled'] as const;
export type JobEventType = (typeof JOB_EVENT_TYPES)[number];

/** Append-only log of what happened to a job; the SSE stream replays it. */
@Entity({ name: 'job_events' })
@Index('job_events_job_id', ['jobId', 'id'])
export class JobEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'job_id', type: 'uuid' })
  jobId!: string;

  @Column({ type: 'text' })
  type!: JobEventType;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  data!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
