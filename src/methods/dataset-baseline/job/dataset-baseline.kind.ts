/**
 * Job kind `dataset-baseline`: trains the linear softmax baseline (trainer task `linear-baseline`) on a
 * builtin or uploaded dataset in a trainer child process. Checkpoint files live under
 * <storageDir>/checkpoints/<jobId>; their location is recorded in the job row, so a job whose worker died
 * resumes from its last checkpoint on the next attempt.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidInputError, violation } from '../../../common/errors';
import { BUILTIN_DATASETS, StoredDatasetFormat, isBuiltinDatasetName } from '../../../datasets/formats';
import type { JobContext, JobKindDefinition } from '../../../jobs/job-kind';
import { DatasetBaselineSpec } from './dataset-baseline-spec.dto';
import type { TrainerRunOptions } from '../../../trainer/supervisor';
import { TrainerCheckpoint, trainerRunOptions } from '../../../trainer/trainer-job';
import type { BaselineDatasetRef, LinearBaselineInput, LinearBaselineResult } from '../../../trainer/tasks';
import { isUuid } from '../../../common/uuid';

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

export interface DatasetBaselineDeps {
  trainer: { run<I, O>(task: string, input: I, opts: TrainerRunOptions): Promise<O> };
  storageDir: string;
  dataDir: string;
  /**
   * The team's uploaded dataset `ref`; throws a typed error (NotFoundError / InvalidInputError on field
   * spec.dataset) when the team has no such dataset. Meant to be DatasetsService.resolveForJob.
   */
  resolveDataset(team: { id: string }, ref: string): Promise<StoredDatasetInfo>;
}

export type DatasetBaselineCheckpoint = TrainerCheckpoint;

export const DATASET_BASELINE_KIND = 'dataset-baseline';


/** Throws a 400 naming spec.dataset unless `ref` is a builtin dataset name or an uploaded dataset's uuid. */
export function checkDatasetRef(ref: string): void {
  if (isBuiltinDatasetName(ref) || isUuid(ref)) return;
  throw new InvalidInputError(`spec.dataset must be a builtin dataset (${BUILTIN_DATASETS.join(', ')}) or an uploaded dataset id, got "${ref}"`, [
    violation('spec.dataset', 'isBuiltinOrDatasetId', `must be one of ${BUILTIN_DATASETS.join(', ')} or the uuid of an uploaded dataset`),
  ]);
}

/** The trainer-side reference of a builtin dataset or of the team's uploaded dataset `ref`. */
export async function trainerDatasetRef(
  deps: Pick<DatasetBaselineDeps, 'dataDir' | 'storageDir' | 'resolveDataset'>,
  teamId: string,
  ref: string,
): Promise<BaselineDatasetRef> {
  if (isBuiltinDatasetName(ref)) return { kind: 'builtin', name: ref, dataDir: deps.dataDir };
  const d = await deps.resolveDataset({ id: teamId }, ref);
  return { kind: 'stored', name: d.name, dir: path.resolve(deps.storageDir, d.storagePath), format: d.format, files: d.files };
}

export function createDatasetBaselineKind(
  deps: DatasetBaselineDeps,
): JobKindDefinition<DatasetBaselineSpec, LinearBaselineResult, DatasetBaselineCheckpoint> {
  const checkpointDirOf = (jobId: string): string => path.join(deps.storageDir, 'checkpoints', jobId);
  const datasetRef = (teamId: string, ref: string): Promise<BaselineDatasetRef> => trainerDatasetRef(deps, teamId, ref);

  return {
    kind: DATASET_BASELINE_KIND,
    summary:
      'Train a linear softmax classifier on raw pixels (SGD with momentum, in a trainer process, checkpointed and resumable) ' +
      'and report its test accuracy: a reference baseline for a dataset, not a NAS result.',
    specClass: DatasetBaselineSpec,

    async validate(spec: DatasetBaselineSpec, team: { id: string }): Promise<void> {
      checkDatasetRef(spec.dataset);
      if (!isBuiltinDatasetName(spec.dataset)) await deps.resolveDataset(team, spec.dataset);
    },

    datasetId(spec: DatasetBaselineSpec): string | null {
      return isBuiltinDatasetName(spec.dataset) ? null : spec.dataset;
    },

    async run(ctx: JobContext<DatasetBaselineSpec, DatasetBaselineCheckpoint>): Promise<LinearBaselineResult> {
      const spec = ctx.spec;
      checkDatasetRef(spec.dataset);
      const input: LinearBaselineInput = {
        dataset: await datasetRef(ctx.teamId, spec.dataset),
        epochs: spec.epochs,
        batchSize: spec.batchSize,
        lr: spec.lr,
        seed: spec.seed,
      };
      const checkpointDir = checkpointDirOf(ctx.jobId);
      const result = await deps.trainer.run<LinearBaselineInput, LinearBaselineResult>('linear-baseline', input, trainerRunOptions(ctx, checkpointDir, 'train'));
      return result;
    },

    // checkpoints are only needed while the job can still resume
    onTerminal(jobId: string): void {
      fs.rmSync(checkpointDirOf(jobId), { recursive: true, force: true });
    },
  };
}
