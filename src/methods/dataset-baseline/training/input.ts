/** Input of the `linear-baseline` trainer task and its validation (the child gets it unvalidated over IPC). */
import { FieldViolation, InvalidInputError, violation } from '../../../common/errors';
import { DatasetRef, parseDatasetRef } from '../../../datasets/dataset-ref';
import { InputObject, numberField } from '../../../trainer/tasks/input-checks';

export interface LinearBaselineInput {
  dataset: DatasetRef;
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
