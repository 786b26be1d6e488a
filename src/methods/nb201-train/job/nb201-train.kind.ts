/**
 * Job kind `nb201-train`: trains one NAS-Bench-201 cell network from scratch (trainer task `nb201-train`, the
 * retraining step after a search) on a builtin dataset in a trainer child process, and reports its per-epoch curve
 * and test accuracy; checkpointed and resumable (src/trainer/trainer-kind.ts).
 */
import * as path from 'node:path';
import type { ArtifactInputRef } from '../../../artifacts/artifact-kinds';
import { InvalidInputError, violation } from '../../../common/errors';
import type { BuiltinDatasetName } from '../../../datasets/formats';
import type { JobKindDefinition } from '../../../jobs/job-kind';
import { NB201_MODEL_FORMAT, NB201_MODEL_MEDIA_TYPE } from '../../../trainer/nb201/model-file';
import { builtinDatasetName, createTrainerKind } from '../../../trainer/trainer-kind';
import type { TrainerCheckpoint, TrainerKindDeps } from '../../../trainer/trainer-job';
import { NB201_TRAIN_TASK } from '../tasks';
import { Nb201TrainInput, parseNb201TrainInput } from '../training/input';
import type { Nb201TrainResult } from '../training/nb201-train.task';
import { Nb201TrainResultDto } from './nb201-train-result.dto';
import { NB201_TRAIN_DEFAULT_VALID_FRACTION, Nb201TrainSpec } from './nb201-train-spec.dto';

export const NB201_TRAIN_KIND = 'nb201-train';
export { NB201_TRAIN_TASK };

export interface Nb201TrainKindDeps {
  trainer: TrainerKindDeps['trainer'];
  storageDir: string;
  /** config.dataDir: where the builtin datasets are read. */
  dataDir: string;
  /** Official arch string of NB201 index `index` (0..15624); throws a typed error (503) when the table is unavailable. */
  archStrOfIndex(index: number): Promise<string>;
}

export type Nb201TrainCheckpoint = TrainerCheckpoint;

/** The fields of `o` that are set (neither undefined nor null). */
function definedFields<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}

/** Renames the task's `input.<field>` violations to `spec.<field>` (the job API names spec fields so). */
function underSpec(e: unknown): never {
  if (e instanceof InvalidInputError) {
    const v = e.violations.map((x) => ({ ...x, field: x.field.replace(/^input\./, 'spec.') }));
    throw new InvalidInputError(`invalid spec for kind ${NB201_TRAIN_KIND}: ${v.map((x) => `${x.field}: ${x.message}`).join('; ')}`, v);
  }
  throw e;
}

/** The trainer task's input for a spec whose arch is already an arch string; checked by the task's own parser. */
export function nb201TrainInput(spec: Nb201TrainSpec, arch: string, dataset: BuiltinDatasetName, dataDir: string): Nb201TrainInput {
  const input: Nb201TrainInput = {
    arch,
    dataset,
    dataDir,
    C: spec.C,
    N: spec.N,
    epochs: spec.epochs,
    batchSize: spec.batchSize,
    lr: spec.lr,
    seed: spec.seed,
    validFraction: spec.validFraction ?? NB201_TRAIN_DEFAULT_VALID_FRACTION,
    // optional fields as given (left out: the task's defaults, the same limits.ts defaults)
    ...definedFields({
      maxTrainImages: spec.maxTrainImages,
      maxTestImages: spec.maxTestImages,
      warmupEpochs: spec.warmupEpochs,
      momentum: spec.momentum,
      weightDecay: spec.weightDecay,
      nesterov: spec.nesterov,
      labelSmoothing: spec.labelSmoothing,
      emaDecay: spec.emaDecay,
      cropPadding: spec.cropPadding,
      horizontalFlip: spec.horizontalFlip,
      microBatch: spec.microBatch,
    }),
  };
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
  const archOf = (spec: Nb201TrainSpec): Promise<string> => (typeof spec.arch === 'number' ? deps.archStrOfIndex(spec.arch) : Promise.resolve(spec.arch));
  return createTrainerKind(deps, {
    kind: NB201_TRAIN_KIND,
    summary:
      'Train one NAS-Bench-201 cell network (arch string or benchmark index) from scratch on a builtin dataset: SGD with ' +
      'Nesterov momentum, cosine schedule with warm-up, in a trainer process, checkpointed and resumable. Reports the per-epoch ' +
      'curve and the measured test accuracy; a schedule shorter than NB201 (200 epochs, full data) is marked as shortened.',
    specClass: Nb201TrainSpec,
    resultClass: Nb201TrainResultDto,
    task: NB201_TRAIN_TASK,
    phase: 'train',
    datasets: 'builtin-only',
    input: async (spec, dataset) => nb201TrainInput(spec, await archOf(spec), builtinDatasetName(dataset), deps.dataDir),
    artifactInputs: (spec): ArtifactInputRef[] => (spec.initFrom ? [{ field: 'spec.initFrom', id: spec.initFrom, kinds: ['model'] }] : []),
    async beforeRun(input, ctx, jobDir) {
      const artifacts = ctx.artifacts;
      if (ctx.spec.initFrom) {
        if (!artifacts) throw new Error(`${NB201_TRAIN_KIND}: spec.initFrom needs a job context with artifacts`);
        input.initWeights = (await artifacts.input(ctx.spec.initFrom)).path;
      }
      // the trainer child writes the model into the job's folder; it becomes an artifact once the job succeeds
      // (the job runner always provides ctx.artifacts; a hand-made context without it trains without export)
      if (ctx.spec.exportModel !== false && artifacts) input.exportModel = path.join(jobDir, 'model.weights');
    },
    async afterRun(result, input, ctx): Promise<Nb201TrainResult & { modelArtifactId?: string }> {
      if (!input.exportModel || !ctx.artifacts) return result;
      const created = await ctx.artifacts.create({
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
  });
}
