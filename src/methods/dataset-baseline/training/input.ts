/** Input of the `linear-baseline` trainer task and its validation (the child gets it unvalidated over IPC). */
import { FieldViolation, InvalidInputError, violation } from '../../../common/errors';
import { DatasetRef, parseDatasetRef } from '../../../datasets/dataset-ref';
import { InputObject, limitField } from '../../../trainer/tasks/input-checks';
import { DATASET_BASELINE_LIMITS as L, LINEAR_BASELINE_TASK_LIMITS as TL } from '../job/limits';

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
    epochs: limitField(raw, 'epochs', L.epochs, out),
    batchSize: limitField(raw, 'batchSize', L.batchSize, out),
    lr: limitField(raw, 'lr', L.lr, out),
    seed: limitField(raw, 'seed', L.seed, out),
    maxTrainImages: raw.maxTrainImages === undefined || raw.maxTrainImages === null ? null : limitField(raw, 'maxTrainImages', TL.maxTrainImages, out),
    momentum: limitField(raw, 'momentum', TL.momentum, out),
    weightDecay: limitField(raw, 'weightDecay', TL.weightDecay, out),
    checkpointEvery: limitField(raw, 'checkpointEvery', TL.checkpointEvery, out),
    progressEvery: limitField(raw, 'progressEvery', TL.progressEvery, out),
  };
  if (out.length) throw new InvalidInputError(`invalid linear-baseline input: ${out.map((v) => `${v.field} ${v.message}`).join('; ')}`, out);
  return input;
}
