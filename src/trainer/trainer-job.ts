/** What every job kind that trains does with its trainer run: checkpoints, resume point, cancellation, progress. */
import * as path from 'node:path';
import { InvalidInputError, violation } from '../common/errors';
import type { TaskHandle } from '../common/task-handle';
import { isUuid } from '../common/uuid';
import type { DatasetRef } from '../datasets/dataset-ref';
import { BUILTIN_DATASETS, StoredDatasetFormat, isBuiltinDatasetName } from '../datasets/formats';
import type { JobContext } from '../jobs/job-kind';
import type { TrainerRunOptions } from './supervisor';

/** What the kind needs to know about an uploaded dataset (fields of the Dataset row). */
export interface StoredDatasetInfo {
  id: string;
  name: string;
  format: StoredDatasetFormat;
  /** Directory of the stored files, relative to storageDir (or absolute). */
  storagePath: string;
  /** role -> stored file name */
  files: Record<string, string>;
}

/** What a job kind that trains gets from the service. */
export interface TrainerKindDeps {
  trainer: {
    run<I, O>(task: TaskHandle<I, O>, input: I, opts: TrainerRunOptions): Promise<O>;
    /**
     * A short task for a submission-time check (e.g. a latency probe), in its own child pool so that it never waits
     * behind training. Optional: without it such checks are left to the job.
     */
    probe?<I, O>(task: TaskHandle<I, O>, input: I, opts: TrainerRunOptions): Promise<O>;
  };
  storageDir: string;
  /** config.dataDir: builtin datasets and benchmark tables. */
  dataDir: string;
  /**
   * The team's uploaded dataset `ref`; throws a typed error (NotFoundError / InvalidInputError on field
   * spec.dataset) when the team has no such dataset. Meant to be DatasetsService.resolveForJob.
   */
  resolveDataset(team: { id: string }, ref: string): Promise<StoredDatasetInfo>;
}

export interface TrainerCheckpoint {
  path: string;
  step: number;
  epoch: number;
}

/**
 * Trainer run options for a job: checkpoint files in `checkpointDir` recorded in the job row (so a job whose worker
 * died resumes from the last one), the job's abort signal, and progress forwarded as `phase` events with the step,
 * epoch, loss, throughput and any task detail.
 */
export function trainerRunOptions<S>(ctx: JobContext<S, TrainerCheckpoint>, checkpointDir: string, phase: string): TrainerRunOptions {
  return {
    checkpointDir,
    resumeFrom: ctx.checkpoint?.path ?? null,
    signal: ctx.signal,
    onProgress: (p) => {
      // Progress is best effort (the runner throttles it); a failed write must not stop training.
      ctx
        .progress({ fraction: p.fraction, phase, message: p.message, data: { step: p.step, epoch: p.epoch, loss: p.loss, throughput: p.throughput, ...p.detail } })
        .catch(() => undefined);
    },
    onCheckpoint: (file, step, epoch) => ctx.saveCheckpoint({ path: file, step, epoch }),
  };
}

/** Throws a 400 naming spec.dataset unless `ref` is a builtin dataset name or an uploaded dataset's uuid. */
export function checkDatasetRef(ref: string): void {
  if (isBuiltinDatasetName(ref) || isUuid(ref)) return;
  throw new InvalidInputError(`spec.dataset must be a builtin dataset (${BUILTIN_DATASETS.join(', ')}) or an uploaded dataset id, got "${ref}"`, [
    violation('spec.dataset', 'isBuiltinOrDatasetId', `must be one of ${BUILTIN_DATASETS.join(', ')} or the uuid of an uploaded dataset`),
  ]);
}

/** The trainer-side reference of a builtin dataset or of the team's uploaded dataset `ref`. */
export async function trainerDatasetRef(
  deps: Pick<TrainerKindDeps, 'dataDir' | 'storageDir' | 'resolveDataset'>,
  teamId: string,
  ref: string,
): Promise<DatasetRef> {
  if (isBuiltinDatasetName(ref)) return { kind: 'builtin', name: ref, dataDir: deps.dataDir };
  const d = await deps.resolveDataset({ id: teamId }, ref);
  return { kind: 'stored', name: d.name, dir: path.resolve(deps.storageDir, d.storagePath), format: d.format, files: d.files };
}

