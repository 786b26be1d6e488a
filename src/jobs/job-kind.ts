import type { ArtifactInputRef, ArtifactLookup, JobArtifacts } from '../artifacts/artifact-kinds';
import type { Team } from '../auth/team.entity';
import type { JobProgress } from './job.entity';

/** What a running job can do: report progress, persist a checkpoint, notice cancellation. */
export interface JobContext<Spec, Checkpoint> {
  readonly jobId: string;
  readonly teamId: string;
  readonly spec: Spec;
  /** Last checkpoint persisted by an earlier attempt of this job, or null on a fresh start. */
  readonly checkpoint: Checkpoint | null;
  readonly attempt: number;
  /** Aborted when the job is cancelled or the worker shuts down. */
  readonly signal: AbortSignal;
  /** Persist progress and append a `progress` event (throttled by the runner). */
  progress(p: JobProgress & { data?: Record<string, unknown> }): Promise<void>;
  /** Persist a checkpoint; a later attempt resumes from it. */
  saveCheckpoint(c: Checkpoint): Promise<void>;
  /**
   * Read declared input artefacts and create artefacts (visible only once the job succeeds; see JobArtifacts).
   * Always set by the job runner; optional so that hand-made contexts in tests need not provide it.
   */
  readonly artifacts?: JobArtifacts;
}

/** What validate() may consult besides the team (read-only). */
export interface ValidationServices {
  readonly artifacts: ArtifactLookup;
}

export type SpecClass<Spec> = new () => Spec;

/** A kind of job: how its spec is validated and how it runs. Modules register kinds in the JobKindRegistry. */
export interface JobKindDefinition<Spec extends object = object, Result extends object = object, Checkpoint = unknown> {
  readonly kind: string;
  readonly summary: string;
  /** class-validator/swagger decorated class of the spec; unknown properties are rejected. */
  readonly specClass: SpecClass<Spec>;
  /** @nestjs/swagger decorated class describing the result, published in the OpenAPI document. */
  readonly resultClass?: new () => object;
  /**
   * Checks that need the team or other services (dataset exists, device known, a budget within a cached table's
   * reach); throw InvalidInputError. `lookup` reads the team's artefacts without recording anything (always given by
   * the jobs service; optional so that direct calls in tests need not provide it).
   */
  validate?(spec: Spec, team: Team, lookup?: ValidationServices): Promise<void>;
  /** Dataset id the job reads, if any: a dataset in use cannot be deleted. */
  datasetId?(spec: Spec): string | null;
  /**
   * Artefacts the job reads (ids from its spec, each with the field naming it): checked to be the team's when the job
   * is created, recorded with it, readable through ctx.artifacts.input(id), and undeletable while the job is queued or running.
   */
  artifactInputs?(spec: Spec): ArtifactInputRef[];
  run(ctx: JobContext<Spec, Checkpoint>): Promise<Result>;
  /** Called once the job has ended (any worker, best effort): release what its attempts left behind. */
  onTerminal?(jobId: string, status: 'succeeded' | 'failed' | 'cancelled'): Promise<void> | void;
}
