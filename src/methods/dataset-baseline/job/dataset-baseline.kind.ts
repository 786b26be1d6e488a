/**
 * Job kind `dataset-baseline`: trains the linear softmax baseline (trainer task `linear-baseline`) on a
 * builtin or uploaded dataset in a trainer child process, checkpointed and resumable (src/trainer/trainer-kind.ts).
 */
import type { JobKindDefinition } from '../../../jobs/job-kind';
import { createTrainerKind } from '../../../trainer/trainer-kind';
import type { TrainerCheckpoint, TrainerKindDeps } from '../../../trainer/trainer-job';
import { LINEAR_BASELINE_TASK } from '../tasks';
import type { LinearBaselineResult } from '../training/linear-baseline.task';
import { DatasetBaselineResultDto } from './dataset-baseline-result.dto';
import { DatasetBaselineSpec } from './dataset-baseline-spec.dto';

export type { StoredDatasetInfo } from '../../../trainer/trainer-job';

export type DatasetBaselineDeps = TrainerKindDeps;

export type DatasetBaselineCheckpoint = TrainerCheckpoint;

export const DATASET_BASELINE_KIND = 'dataset-baseline';

export function createDatasetBaselineKind(
  deps: DatasetBaselineDeps,
): JobKindDefinition<DatasetBaselineSpec, LinearBaselineResult, DatasetBaselineCheckpoint> {
  return createTrainerKind(deps, {
    kind: DATASET_BASELINE_KIND,
    summary:
      'Train a linear softmax classifier on raw pixels (SGD with momentum, in a trainer process, checkpointed and resumable) ' +
      'and report its test accuracy: a reference baseline for a dataset, not a NAS result.',
    specClass: DatasetBaselineSpec,
    resultClass: DatasetBaselineResultDto,
    task: LINEAR_BASELINE_TASK,
    phase: 'train',
    input: (spec, dataset) => ({ dataset, epochs: spec.epochs, batchSize: spec.batchSize, lr: spec.lr, seed: spec.seed }),
  });
}
