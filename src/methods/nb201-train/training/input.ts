/** Input of the `nb201-train` trainer task and its validation (the child gets it unvalidated over IPC). */
import { FieldViolation, InvalidInputError, violation } from '../../../common/errors';
import { parseArchStr } from '../../../benchmarks/nb201/arch';
import { BUILTIN_DATASETS, BuiltinDatasetName, isBuiltinDatasetName } from '../../../datasets/formats';
import { InputObject, booleanField, limitField, numberField } from '../../../trainer/tasks/input-checks';
import { NB201_TRAIN_LIMITS as L, NB201_TRAIN_TASK_LIMITS as TL } from '../job/limits';

export interface Nb201TrainInput {
  /** Official NB201 arch string, e.g. |nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2| */
  arch: string;
  dataset: BuiltinDatasetName;
  /** Directory of the builtin data (config.dataDir). */
  dataDir: string;
  /** Channels of the first stage (NB201: 16). */
  C: number;
  /** Cells per stage (NB201: 5). */
  N: number;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** Train (and split off valid) from the first N training images only. */
  maxTrainImages?: number;
  /** Evaluate the test accuracy on the first N test images only. */
  maxTestImages?: number;
  /** Fraction of the training images held out (stratified, seeded) for the per-epoch valid accuracy. */
  validFraction: number;
  momentum?: number;
  weightDecay?: number;
  nesterov?: boolean;
  labelSmoothing?: number;
  /** Decay of an exponential moving average of the weights, evaluated besides the raw weights; 0 = off (default). */
  emaDecay?: number;
  warmupEpochs?: number;
  /** Random-crop padding in pixels (0 = no crop); default 4 for cifar10-subset, 0 otherwise. */
  cropPadding?: number;
  /** Random horizontal flip; default true for cifar10-subset, false otherwise (digits and clothes are not mirror-symmetric). */
  horizontalFlip?: boolean;
  /**
   * Images per forward/backward chunk; the gradient of a batch is accumulated over chunks (BN statistics per chunk).
   * Default: the whole batch. On wasm the C=16 N=5 network at 32x32 needs <= 128 (batch 256 overflows the wasm heap).
   */
  microBatch?: number;
  checkpointEvery?: number;
  progressEvery?: number;
  /** Start from the weights in this model file (NB201_MODEL_FORMAT, as exportModel writes it) instead of the seeded init. */
  initWeights?: string;
  /** Write the trained weights (parameters + BN statistics) to this file at the end (NB201_MODEL_FORMAT). */
  exportModel?: string;
}

export type ResolvedNb201TrainInput = Required<Omit<Nb201TrainInput, 'maxTrainImages' | 'maxTestImages' | 'initWeights' | 'exportModel'>> & {
  ops: number[];
  maxTrainImages: number | null;
  maxTestImages: number | null;
  initWeights: string | null;
  exportModel: string | null;
};

function optionalPath(o: InputObject, key: string, out: FieldViolation[]): string | null {
  if (o[key] === undefined || o[key] === null) return null;
  if (typeof o[key] === 'string' && o[key] !== '') return o[key] as string;
  out.push(violation(`input.${key}`, 'isString', `${key} must be a file path`));
  return null;
}

type Obj = InputObject;

function optionalInt(o: Obj, key: 'maxTrainImages' | 'maxTestImages', out: FieldViolation[]): number | null {
  return o[key] === undefined || o[key] === null ? null : limitField(o, key, L[key], out);
}

export function parseNb201TrainInput(raw: unknown): ResolvedNb201TrainInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidInputError('nb201-train input must be an object', [violation('input', 'isObject', 'must be an object')]);
  }
  const o = raw as Obj;
  const out: FieldViolation[] = [];
  const ops = typeof o.arch === 'string' ? parseArchStr(o.arch) : null;
  if (ops === null) out.push(violation('input.arch', 'isNb201Arch', 'arch must be an NB201 arch string like |nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|'));
  if (!isBuiltinDatasetName(o.dataset)) out.push(violation('input.dataset', 'isIn', `dataset must be one of ${BUILTIN_DATASETS.join(', ')}`));
  if (typeof o.dataDir !== 'string' || o.dataDir === '') out.push(violation('input.dataDir', 'isString', 'dataDir must be a directory path'));
  const isCifar = o.dataset === 'cifar10-subset';
  const input: ResolvedNb201TrainInput = {
    arch: o.arch as string,
    ops: ops ?? [],
    dataset: o.dataset as BuiltinDatasetName,
    dataDir: o.dataDir as string,
    C: limitField(o, 'C', L.C, out),
    N: limitField(o, 'N', L.N, out),
    epochs: limitField(o, 'epochs', L.epochs, out),
    batchSize: limitField(o, 'batchSize', L.batchSize, out),
    lr: limitField(o, 'lr', L.lr, out),
    seed: limitField(o, 'seed', L.seed, out),
    maxTrainImages: optionalInt(o, 'maxTrainImages', out),
    maxTestImages: optionalInt(o, 'maxTestImages', out),
    validFraction: limitField(o, 'validFraction', L.validFraction, out),
    momentum: limitField(o, 'momentum', L.momentum, out),
    weightDecay: limitField(o, 'weightDecay', L.weightDecay, out),
    nesterov: booleanField(o, 'nesterov', out, true),
    labelSmoothing: limitField(o, 'labelSmoothing', L.labelSmoothing, out),
    emaDecay: limitField(o, 'emaDecay', L.emaDecay, out),
    warmupEpochs: limitField(o, 'warmupEpochs', L.warmupEpochs, out),
    cropPadding: numberField(o, 'cropPadding', L.cropPadding, out, isCifar ? 4 : 0),
    horizontalFlip: booleanField(o, 'horizontalFlip', out, isCifar),
    microBatch: numberField(o, 'microBatch', L.microBatch, out, typeof o.batchSize === 'number' ? o.batchSize : 1),
    checkpointEvery: limitField(o, 'checkpointEvery', TL.checkpointEvery, out),
    progressEvery: limitField(o, 'progressEvery', TL.progressEvery, out),
    initWeights: optionalPath(o, 'initWeights', out),
    exportModel: optionalPath(o, 'exportModel', out),
  };
  if (out.length === 0 && input.warmupEpochs > input.epochs) out.push(violation('input.warmupEpochs', 'max', 'warmupEpochs must not exceed epochs'));
  if (out.length) throw new InvalidInputError(`invalid nb201-train input: ${out.map((v) => `${v.field} ${v.message}`).join('; ')}`, out);
  return input;
}
