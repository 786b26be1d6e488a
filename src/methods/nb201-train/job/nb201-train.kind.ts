/**
 * Job kind `nb201-train`: trains one NAS-Bench-201 cell network from scratch (trainer task `nb201-train`, the
 * retraining step after a search) on a builtin dataset in a trainer child process, and reports its per-epoch curve
 * and test accuracy. Checkpoints live under <storageDir>/checkpoints/<jobId> and are recorded in the job row, so a
 * job whose worker died resumes from its last checkpoint on the next attempt.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidInputError, UnprocessableError, violation } from '../../../common/errors';
import { BUILTIN_DATASETS, BuiltinDatasetName, isBuiltinDatasetName } from '../../../datasets/formats';
import type { JobContext, JobKindDefinition } from '../../../jobs/job-kind';
import { NB201_TRAIN_DEFAULT_VALID_FRACTION, Nb201TrainSpec } from './nb201-train-spec.dto';
import { Nb201TrainResultDto } from './nb201-train-result.dto';
import { Nb201TrainInput, parseNb201TrainInput } from '../training/input';
import type { TrainerRunOptions } from '../../../trainer/supervisor';
import { TrainerCheckpoint, trainerRunOptions } from '../../../trainer/trainer-job';
import type { Nb201TrainResult } from '../training/nb201-train.task';
import type { ArtifactInputRef } from '../../../artifacts/artifact-kinds';
import { NB201_MODEL_FORMAT, NB201_MODEL_MEDIA_TYPE } from '../../../trainer/nb201/model-file';

export const NB201_TRAIN_KIND = 'nb201-train';
/** Name of the trainer task (src/trainer/tasks/nb201-train.ts). */
export const NB201_TRAIN_TASK = 'nb201-train';

export interface Nb201TrainKindDeps {
  trainer: { run<I, O>(task: string, input: I, opts: TrainerRunOptions): Promise<O> };
  storageDir: string;
  /** config.dataDir: where the builtin datasets are read. */
  dataDir: string;
  /** Official arch string of NB201 index `index` (0..15624); throws a typed error (503) when the table is unavailable. */
  archStrOfIndex(index: number): Promise<string>;
}

export type Nb201TrainCheckpoint = TrainerCheckpoint;

/** Optional spec fields handed to the task as given (the task applies its own defaults). */
const OPTIONAL_FIELDS = [
  'maxTrainImages',
  'maxTestImages',
  'warmupEpochs',
  'momentum',
  'weightDecay',
  'nesterov',
  'labelSmoothing',
  'emaDecay',
  'cropPadding',
  'horizontalFlip',
  'microBatch',
] as const satisfies ReadonlyArray<keyof Nb201TrainSpec & keyof Nb201TrainInput>;

/** Renames the task's `input.<field>` violations to `spec.<field>` (the job API names spec fields so). */
function underSpec(e: unknown): never {
  if (e instanceof InvalidInputError) {
    const v = e.violations.map((x) => ({ ...x, field: x.field.replace(/^input\./, 'spec.') }));
    throw new InvalidInputError(`invalid spec for kind ${NB201_TRAIN_KIND}: ${v.map((x) => `${x.field}: ${x.message}`).join('; ')}`, v);
  }
  throw e;
}

function checkDataset(ref: string): BuiltinDatasetName {
  if (isBuiltinDatasetName(ref)) return ref;
  // the DTO lets only builtin names and uuids (uploaded datasets) through
  throw new UnprocessableError(`spec.dataset "${ref}" is an uploaded dataset; nb201-train trains on builtin datasets only (${BUILTIN_DATASETS.join(', ')})`, [
    violation('spec.dataset', 'isBuiltinDataset', `uploaded datasets are not supported by ${NB201_TRAIN_KIND}; use one of ${BUILTIN_DATASETS.join(', ')}`),
  ]);
}

/** The trainer task's input for a spec whose arch is already an arch string; checked by the task's own parser. */
export function nb201TrainInput(spec: Nb201TrainSpec, arch: string, dataDir: string): Nb201TrainInput {
  const input: Nb201TrainInput = {
    arch,
    dataset: checkDataset(spec.dataset),
    dataDir,
    C: spec.C,
    N: spec.N,
    epochs: spec.epochs,
    batchSize: spec.batchSize,
    lr: spec.lr,
    seed: spec.seed,
    validFraction: spec.validFraction ?? NB201_TRAIN_DEFAULT_VALID_FRACTION,
  };
  const optional = input as unknown as Record<string, unknown>;
  for (const k of OPTIONAL_FIELDS) {
    const v = spec[k];
    if (v !== undefined && v !== null) optional[k] = v;
  }
  try {
    parseNb201TrainInput(input);
  } catch (e) {
    underSpec(e);
  }
  const n = input.maxTrainImages;
  if (n !== undefined && Math.round(n * input.validFraction) >= n) {
    throw new InvalidInputError(`spec.validFraction ${input.validFraction} of maxTrainImages ${n} leaves no training image`, [
      violation('spec.validFraction', 'leavesTrainImages', 'must leave at least one of maxTrainImages for training'),
    ]);
  }
  return input;
}

export function createNb201TrainKind(deps: Nb201TrainKindDeps): JobKindDefinition<Nb201TrainSpec, Nb201TrainResult, Nb201TrainCheckpoint> {
  const checkpointDirOf = (jobId: string): string => path.join(deps.storageDir, 'checkpoints', jobId);
  const archOf = (spec: Nb201TrainSpec): Promise<string> => (typeof spec.arch === 'number' ? deps.archStrOfIndex(spec.arch) : Promise.resolve(spec.arch));

  return {
    kind: NB201_TRAIN_KIND,
    summary:
      'Train one NAS-Bench-201 cell network (arch string or benchmark index) from scratch on a builtin dataset: SGD with ' +
      'Nesterov momentum, cosine schedule with warm-up, in a trainer process, checkpointed and resumable. Reports the per-epoch ' +
      'curve and the measured test accuracy; a schedule shorter than NB201 (200 epochs, full data) is marked as shortened.',
    specClass: Nb201TrainSpec,
    resultClass: Nb201TrainResultDto,

    async validate(spec: Nb201TrainSpec): Promise<void> {
      nb201TrainInput(spec, await archOf(spec), deps.dataDir);
    },

    datasetId(): null {
      return null;
    },

    artifactInputs(spec: Nb201TrainSpec): ArtifactInputRef[] {
      return spec.initFrom ? [{ field: 'spec.initFrom', id: spec.initFrom, kinds: ['model'] }] : [];
    },

    async run(ctx: JobContext<Nb201TrainSpec, Nb201TrainCheckpoint>): Promise<Nb201TrainResult & { modelArtifactId?: string }> {
      const input = nb201TrainInput(ctx.spec, await archOf(ctx.spec), deps.dataDir);
      const checkpointDir = checkpointDirOf(ctx.jobId);
      const artifacts = ctx.artifacts;
      // the job runner always provides ctx.artifacts; a hand-made context without it trains without export
      const exportModel = ctx.spec.exportModel !== false && artifacts !== undefined;
      if (ctx.spec.initFrom && !artifacts) throw new Error(`${NB201_TRAIN_KIND}: spec.initFrom needs a job context with artifacts`);
      if (ctx.spec.initFrom && artifacts) input.initWeights = (await artifacts.input(ctx.spec.initFrom)).path;
      // the trainer child writes the model into the job's folder; it becomes an artifact here, visible once the job succeeds
      if (exportModel) input.exportModel = path.join(checkpointDir, 'model.weights');
      const result = await deps.trainer.run<Nb201TrainInput, Nb201TrainResult>(NB201_TRAIN_TASK, input, trainerRunOptions(ctx, checkpointDir, 'train'));
      if (!exportModel || !artifacts || !input.exportModel) return result;
      const created = await artifacts.create({
        kind: 'model',
        name: `nb201-train ${result.arch} C=${result.C} N=${result.N} on ${result.dataset}`,
        mediaType: NB201_MODEL_MEDIA_TYPE,
        file: input.exportModel,
        meta: {
          format: NB201_MODEL_FORMAT,
          arch: result.arch,
          C: result.C,
          N: result.N,
          numClasses: result.numClasses,
          imageShape: result.imageShape,
          dataset: result.dataset,
          testAccuracy: result.testAccuracy,
          weightsSha256: result.weightsSha256,
          shortened: result.schedule.shortened,
        },
      });
      return { ...result, modelArtifactId: created.id };
    },

    // checkpoints are only needed while the job can still resume
    onTerminal(jobId: string): void {
      fs.rmSync(checkpointDirOf(jobId), { recursive: true, force: true });
    },
  };
}
