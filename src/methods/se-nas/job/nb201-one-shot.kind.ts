/**
 * Job kinds `spos-nb201` and `se-nas-nb201`: one-shot supernet search on the NAS-Bench-201 cell space (trainer task
 * `nb201-one-shot`) in a trainer child process, checkpointed and resumable; progress carries the stage, epoch, loss
 * and surviving operators. On cifar10-subset the result includes the searched arch's NB201 record and the ranking
 * correlation of supernet accuracy against NB201 ground truth.
 */
import { InvalidInputError, violation } from '../../../common/errors';
import { NB201_ONE_SHOT_TASK, OneShotTaskInput } from '../tasks';
import type { JobKindDefinition } from '../../../jobs/job-kind';
import type { TrainerCheckpoint, TrainerKindDeps } from '../../../trainer/trainer-job';
import { createTrainerKind } from '../../../trainer/trainer-kind';
import { REMOVABLE_OPERATORS, SE_NAS_DEFAULTS, totalRemovalProblem } from './limits';
import { OneShotBaseSpec, SeNasNb201Spec, SposNb201Spec } from './one-shot-spec.dto';
import { OneShotResultDto } from './one-shot-result.dto';
import type { DatasetRef } from '../../../datasets/dataset-ref';
import type { OneShotResult } from '../training/nb201-one-shot.task';

export const SPOS_NB201_KIND = 'spos-nb201';
export const SE_NAS_NB201_KIND = 'se-nas-nb201';

export type OneShotKindDeps = Pick<TrainerKindDeps, 'trainer' | 'storageDir' | 'dataDir' | 'resolveDataset'>;

type Checkpoint = TrainerCheckpoint;

type TaskInput = OneShotTaskInput;

function common(spec: OneShotBaseSpec, dataset: DatasetRef, dataDir: string): Omit<TaskInput, 'method' | 'epochsPerStage'> {
  const out: Omit<TaskInput, 'method' | 'epochsPerStage'> = { dataset, benchmarkDir: dataDir, C: spec.C, N: spec.N, batchSize: spec.batchSize, seed: spec.seed };
  for (const k of ['lr', 'maxTrainImages', 'evalImages', 'correlationSample', 'searchQueries', 'maxEnumerate'] as const) if (spec[k] !== undefined) out[k] = spec[k];
  return out;
}

function sposInput(spec: SposNb201Spec, dataset: DatasetRef, dataDir: string): TaskInput {
  return { ...common(spec, dataset, dataDir), method: 'spos', epochsPerStage: spec.epochs, stages: 0 };
}

function seNasInput(spec: SeNasNb201Spec, dataset: DatasetRef, dataDir: string): TaskInput {
  // fields left out stay undefined and take the task's defaults (the same limits.ts defaults)
  const { stages, k, T, samplesPerStage, snapshots, scoring } = spec;
  const out: TaskInput = { ...common(spec, dataset, dataDir), method: 'se-nas', epochsPerStage: spec.epochsPerStage, stages, k, T, samplesPerStage, snapshots, scoring };
  const problem = totalRemovalProblem(spec.stages ?? SE_NAS_DEFAULTS.stages, spec.k ?? SE_NAS_DEFAULTS.k);
  if (problem) throw new InvalidInputError(`spec.k: ${problem}`, [violation('spec.k', 'maxTotalRemoval', `stages x k must be <= ${REMOVABLE_OPERATORS}`)]);
  return out;
}

function createKind<S extends OneShotBaseSpec>(
  deps: OneShotKindDeps,
  kind: string,
  summary: string,
  specClass: new () => S,
  toInput: (spec: S, dataset: DatasetRef, dataDir: string) => TaskInput,
): JobKindDefinition<S, OneShotResult, Checkpoint> {
  return createTrainerKind(deps, {
    kind,
    summary,
    specClass,
    resultClass: OneShotResultDto,
    task: NB201_ONE_SHOT_TASK,
    phase: 'search',
    input: (spec, dataset) => toInput(spec, dataset, deps.dataDir),
  });
}

export function createSposNb201Kind(deps: OneShotKindDeps): JobKindDefinition<SposNb201Spec, OneShotResult, Checkpoint> {
  return createKind(
    deps,
    SPOS_NB201_KIND,
    'SPOS (single-path one-shot, uniform sampling) supernet on the NAS-Bench-201 cell space, trained in a trainer process, then the best ' +
      'child by supernet accuracy (evolutionary search). On cifar10-subset: the NB201 record of the result and the ranking correlation ' +
      'of supernet accuracy against NB201 ground truth. Shortened schedules and data subsets are stated in the result.',
    SposNb201Spec,
    sposInput,
  );
}

export function createSeNasNb201Kind(deps: OneShotKindDeps): JobKindDefinition<SeNasNb201Spec, OneShotResult, Checkpoint> {
  return createKind(
    deps,
    SE_NAS_NB201_KIND,
    'SE-NAS (shrinking-and-expanding supernet, Hu et al. 2021) on the NAS-Bench-201 cell space: per stage, train, score operators by ' +
      'selection importance and confidence on snapshot-averaged weights, remove the k lowest, merge layer-wise spaces with their own ' +
      'weights; then the best child of the final space. On cifar10-subset: NB201 record and ranking correlation against ground truth.',
    SeNasNb201Spec,
    seNasInput,
  );
}
