/**
 * What a search method is to the service: a name and up to three rings, each loaded only where it runs.
 * - job ring (`<method>/job`): its job kinds, spec and result DTOs; loaded in the API and worker processes.
 * - training ring (`<method>/training`): its trainer-process tasks; loaded in the trainer child process.
 * - runner ring (`<method>/runner`): its Piscina pool tasks; loaded in the pool's worker threads.
 * The science (`<method>/science`) is plain TypeScript the rings import. Methods never import each other.
 */
import type { JobKindDefinition } from '../jobs/job-kind';
import type { PoolTask } from '../search/pool/protocol';
import type { RunPool } from '../search/pool/run-in-pool';
import type { TrainerTask } from '../trainer/tasks/task';
import type { TrainerKindDeps } from '../trainer/trainer-job';

/** Everything the service offers a method's job kinds; a kind factory takes the part it needs. */
export interface MethodDeps extends TrainerKindDeps {
  /** Runs a pool task for a job (checkpoints, progress, cancellation). */
  runPool: RunPool;
  /** Official arch string of NAS-Bench-201 index `index` (0..15624); throws a typed error (503) when the table is unavailable. */
  archStrOfIndex(index: number): Promise<string>;
}

/** Adds one job kind to the service's job-kind registry. */
export type RegisterKind = <S extends object, R extends object, C>(def: JobKindDefinition<S, R, C>) => void;

export interface MethodJobRing {
  registerKinds(deps: MethodDeps, register: RegisterKind): void;
}

export interface MethodTrainingRing {
  readonly trainerTasks: readonly TrainerTask[];
}

export interface MethodRunnerRing {
  readonly poolTasks: readonly PoolTask[];
}

/** One entry of the method list (src/methods/registry.ts). */
export interface MethodEntry {
  readonly name: string;
  readonly job: () => Promise<MethodJobRing>;
  readonly training?: () => Promise<MethodTrainingRing>;
  readonly runner?: () => Promise<MethodRunnerRing>;
}
