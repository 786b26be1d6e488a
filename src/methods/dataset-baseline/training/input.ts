/** Input of the `linear-baseline` trainer task and its validation (the child gets it unvalidated over IPC). */
import { FieldViolation, InvalidInputError, violation } from '../../../common/errors';
import { BUILTIN_DATASETS, BuiltinDatasetName, STORED_DATASET_FORMATS, StoredDatasetFormat, isBuiltinDatasetName } from '../../../datasets/formats';
import { InputObject, numberField } from '../../../trainer/tasks/input-checks';

export type BaselineDatasetRef =
  | { kind: 'builtin'; name: BuiltinDatasetName; dataDir: string }
  | { kind: 'stored'; name: string; dir: string; format: StoredDatasetFormat; files: Record<string, string> };

export interface LinearBaselineInput {
  dataset: BaselineDatasetRef;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** Train on the first N training images only. */
  maxTrainImages?: number;
  /** SGD momentum (default 0.9). */
  momentum?: number;
  /** L2 weight decay on the weights (default 5e-4). */
  weightDecay?: number;
  /** Checkpoint every K optimiser steps, besides every epoch end (default 50). */
  checkpointEvery?: number;
  /** Report progress every N optimiser steps (default 5). */
  progressEvery?: number;
}

export type ResolvedLinearBaselineInput = Required<Omit<LinearBaselineInput, 'maxTrainImages'>> & { maxTrainImages: number | null };

type Obj = InputObject;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks a dataset reference received over IPC (field `input.dataset`). */
export function parseDatasetRef(raw: unknown, out: FieldViolation[]): BaselineDatasetRef {
  if (!isObj(raw)) {
    out.push(violation('input.dataset', 'isObject', 'dataset must be {kind: "builtin", name, dataDir} or {kind: "stored", name, dir, format, files}'));
    return raw as BaselineDatasetRef;
  }
  if (raw.kind === 'builtin') {
    if (!isBuiltinDatasetName(raw.name)) out.push(violation('input.dataset.name', 'isIn', `must be one of ${BUILTIN_DATASETS.join(', ')}`));
    if (typeof raw.dataDir !== 'string' || !raw.dataDir) out.push(violation('input.dataset.dataDir', 'isString', 'dataDir must be a directory path'));
    return { kind: 'builtin', name: raw.name as BuiltinDatasetName, dataDir: raw.dataDir as string };
  }
  if (raw.kind === 'stored') {
    if (typeof raw.name !== 'string') out.push(violation('input.dataset.name', 'isString', 'name must be a string'));
    if (typeof raw.dir !== 'string' || !raw.dir) out.push(violation('input.dataset.dir', 'isString', 'dir must be a directory path'));
    if (!(STORED_DATASET_FORMATS as readonly unknown[]).includes(raw.format)) {
      out.push(violation('input.dataset.format', 'isIn', `must be one of ${STORED_DATASET_FORMATS.join(', ')}`));
    }
    const files = raw.files;
    if (!isObj(files) || !Object.values(files).every((f) => typeof f === 'string')) {
      out.push(violation('input.dataset.files', 'isObject', 'files must map file roles to file names'));
    }
    return { kind: 'stored', name: raw.name as string, dir: raw.dir as string, format: raw.format as StoredDatasetFormat, files: files as Record<string, string> };
  }
  out.push(violation('input.dataset.kind', 'isIn', 'kind must be builtin or stored'));
  return raw as BaselineDatasetRef;
}

export function parseLinearBaselineInput(raw: unknown): ResolvedLinearBaselineInput {
  if (!isObj(raw)) throw new InvalidInputError('linear-baseline input must be an object', [violation('input', 'isObject', 'must be an object')]);
  const out: FieldViolation[] = [];
  const input: ResolvedLinearBaselineInput = {
    dataset: parseDatasetRef(raw.dataset, out),
    epochs: numberField(raw, 'epochs', { int: true, min: 1, max: 1000 }, out),
    batchSize: numberField(raw, 'batchSize', { int: true, min: 1, max: 65536 }, out),
    lr: numberField(raw, 'lr', { exclusiveMin: 0, max: 10 }, out),
    seed: numberField(raw, 'seed', { int: true, min: 0 }, out),
    maxTrainImages: raw.maxTrainImages === undefined || raw.maxTrainImages === null ? null : numberField(raw, 'maxTrainImages', { int: true, min: 1 }, out),
    momentum: numberField(raw, 'momentum', { min: 0, max: 0.999 }, out, 0.9),
    weightDecay: numberField(raw, 'weightDecay', { min: 0, max: 1 }, out, 5e-4),
    checkpointEvery: numberField(raw, 'checkpointEvery', { int: true, min: 1 }, out, 50),
    progressEvery: numberField(raw, 'progressEvery', { int: true, min: 1 }, out, 5),
  };
  if (out.length) throw new InvalidInputError(`invalid linear-baseline input: ${out.map((v) => `${v.field} ${v.message}`).join('; ')}`, out);
  return input;
}
