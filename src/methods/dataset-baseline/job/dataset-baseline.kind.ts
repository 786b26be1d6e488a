/**
 * Job kind `dataset-baseline`: trains the linear softmax baseline (trainer task `linear-baseline`) on a
 * builtin or uploaded dataset in a trainer child process. Checkpoint files live under
 * <storageDir>/checkpoints/<jobId>; their location is recorded in the job row, so a job whose worker died
 * resumes from its last checkpoint on the next attempt.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isBuiltinDatasetName } from '../../../datasets/formats';
import type { DatasetRef } from '../../../datasets/dataset-ref';
import type { JobContext, JobKindDefinition } from '../../../jobs/job-kind';
import { DatasetBaselineSpec } from './dataset-baseline-spec.dto';
import { TrainerCheckpoint, TrainerKindDeps, checkDatasetRef, trainerDatasetRef, trainerRunOptions } from '../../../trainer/trainer-job';
import type { LinearBaselineInput } from '../training/input';
import type { LinearBaselineResult } from '../training/linear-baseline.task';

export type { StoredDatasetInfo } from '../../../trainer/trainer-job';

export type DatasetBaselineDeps = TrainerKindDeps;

export type DatasetBaselineCheckpoint = TrainerCheckpoint;

export const DATASET_BASELINE_KIND = 'dataset-baseline';


export function createDatasetBaselineKind(
  deps: DatasetBaselineDeps,
): JobKindDefinition<DatasetBaselineSpec, LinearBaselineResult, DatasetBaselineCheckpoint> {
  const checkpointDirOf = (jobId: string): string => path.join(deps.storageDir, 'checkpoints', jobId);
  const datasetRef = (teamId: string, ref: string): Promise<DatasetRef> => trainerDatasetRef(deps, teamId, ref);

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
