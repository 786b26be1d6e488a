/**
 * The trainer-kind factory: a job kind that runs one trainer task in a child process. It owns what every such kind
 * did by hand: the checkpoint folder <storageDir>/checkpoints/<jobId> (recorded in the job row, so a job whose worker
 * died resumes from its last checkpoint), its removal once the job has ended, progress forwarding, and the spec's
 * dataset reference, resolved once per validate() and once per run(). A method supplies only the task handle and
 * how its spec becomes the task's input.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UnprocessableError, violation } from '../common/errors';
import type { TaskHandle } from '../common/task-handle';
import type { DatasetRef } from '../datasets/dataset-ref';
import { BUILTIN_DATASETS, BuiltinDatasetName, isBuiltinDatasetName } from '../datasets/formats';
import type { ArtifactInputRef } from '../artifacts/artifact-kinds';
import type { JobContext, JobKindDefinition, SpecClass } from '../jobs/job-kind';
import { TrainerCheckpoint, TrainerKindDeps, checkDatasetRef, trainerDatasetRef, trainerRunOptions } from './trainer-job';

/** Which datasets a kind's spec.dataset may name. */
export type DatasetSupport = 'builtin-or-uploaded' | 'builtin-only';

export interface TrainerKindOptions<S extends { dataset: string }, I, O extends object> {
  readonly kind: string;
  readonly summary: string;
  readonly specClass: SpecClass<S>;
  readonly resultClass?: new () => object;
  /** The trainer task the kind runs. */
  readonly task: TaskHandle<I, O>;
  /** Phase of the job's progress events while the task runs ('train', 'search'). */
  readonly phase: string;
  /** Default builtin-or-uploaded. */
  readonly datasets?: DatasetSupport;
  /**
   * The task's input for a (validated) spec and its resolved dataset; throws InvalidInputError naming spec fields for
   * checks the DTO cannot make. Called by validate() (so bad specs are refused at submission) and by run().
   */
  input(spec: S, dataset: DatasetRef): I | Promise<I>;
  /** Artefacts the spec names as inputs: checked at submission, recorded with the job, undeletable while it runs. */
  artifactInputs?(spec: S): ArtifactInputRef[];
  /** Completes this run's input: paths of input artefacts, files the task should write into the job's folder. */
  beforeRun?(input: I, ctx: JobContext<S, TrainerCheckpoint>, jobDir: string): void | Promise<void>;
  /** The job's result from the task's: e.g. files the task wrote registered as artefacts (visible once the job succeeds). */
  afterRun?(result: O, input: I, ctx: JobContext<S, TrainerCheckpoint>): O | Promise<O>;
}

/** The builtin dataset's name of a reference that a builtin-only kind resolved. */
export function builtinDatasetName(ref: DatasetRef): BuiltinDatasetName {
  if (ref.kind !== 'builtin') throw new Error(`dataset ${ref.name} is not a builtin dataset`);
  return ref.name;
}

/** A builtin-only kind needs no resolver of uploaded datasets. */
export type TrainerKindFactoryDeps = Omit<TrainerKindDeps, 'resolveDataset'> & Partial<Pick<TrainerKindDeps, 'resolveDataset'>>;

export function createTrainerKind<S extends { dataset: string }, I, O extends object>(
  deps: TrainerKindFactoryDeps,
  o: TrainerKindOptions<S, I, O>,
): JobKindDefinition<S, O, TrainerCheckpoint> {
  const checkpointDirOf = (jobId: string): string => path.join(deps.storageDir, 'checkpoints', jobId);
  const builtinOnly = o.datasets === 'builtin-only';

  const resolve = async (ref: string, teamId: string): Promise<DatasetRef> => {
    if (builtinOnly) {
      if (isBuiltinDatasetName(ref)) return { kind: 'builtin', name: ref, dataDir: deps.dataDir };
      // the DTOs let only builtin names and uuids (uploaded datasets) through
      throw new UnprocessableError(`spec.dataset "${ref}" is an uploaded dataset; ${o.kind} trains on builtin datasets only (${BUILTIN_DATASETS.join(', ')})`, [
        violation('spec.dataset', 'isBuiltinDataset', `uploaded datasets are not supported by ${o.kind}; use one of ${BUILTIN_DATASETS.join(', ')}`),
      ]);
    }
    checkDatasetRef(ref);
    const resolveDataset = deps.resolveDataset;
    if (!resolveDataset) throw new Error(`job kind ${o.kind} was created without a resolver of uploaded datasets`);
    return trainerDatasetRef({ ...deps, resolveDataset }, teamId, ref);
  };

  return {
    kind: o.kind,
    summary: o.summary,
    specClass: o.specClass,
    ...(o.resultClass ? { resultClass: o.resultClass } : {}),

    async validate(spec: S, team: { id: string }): Promise<void> {
      await o.input(spec, await resolve(spec.dataset, team.id));
    },

    datasetId(spec: S): string | null {
      return builtinOnly || isBuiltinDatasetName(spec.dataset) ? null : spec.dataset;
    },

    ...(o.artifactInputs ? { artifactInputs: (spec: S) => o.artifactInputs?.(spec) ?? [] } : {}),

    async run(ctx: JobContext<S, TrainerCheckpoint>): Promise<O> {
      const input = await o.input(ctx.spec, await resolve(ctx.spec.dataset, ctx.teamId));
      const dir = checkpointDirOf(ctx.jobId);
      await o.beforeRun?.(input, ctx, dir);
      const result = await deps.trainer.run(o.task, input, trainerRunOptions(ctx, dir, o.phase));
      return o.afterRun ? o.afterRun(result, input, ctx) : result;
    },

    // checkpoints are only needed while the job can still resume
    onTerminal(jobId: string): void {
      fs.rmSync(checkpointDirOf(jobId), { recursive: true, force: true });
    },
  };
}
