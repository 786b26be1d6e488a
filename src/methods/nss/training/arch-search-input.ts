/** Input of the `nss-arch-search` trainer task (kind `nss-search`) and its validation (limits: ../job/limits.ts). */
import { FieldViolation, InvalidInputError, violation } from '../../../common/errors';
import { DatasetRef, parseDatasetRef } from '../../../datasets/dataset-ref';
import { InputObject, limitField } from '../../../trainer/tasks/input-checks';
import { NSS_ELITE_TASK_LIMITS as TL, NSS_PRESET_NAMES, NSS_SEARCH_LIMITS as L } from '../job/limits';
import type { NssPresetName } from '../science/space';

export interface NssArchSearchInput {
  dataset: DatasetRef;
  /** Preset of the Expanded Search Space when there is no Elite Space file (ignored with one: the file names its preset). */
  preset: NssPresetName;
  /** Path of the Elite Space JSON (the artefact's file); null: search the whole Expanded Search Space. */
  eliteSpaceFile: string | null;
  /** The artefact's id, for the report. */
  eliteSpaceId: string | null;
  /** FLOPs target; null with a latency target. */
  targetFlops: number | null;
  /** Latency target (ms, per-residual-block LUT at latencyTableFile); null with a FLOPs target. */
  targetLatencyMs: number | null;
  latencyTableFile: string | null;
  seed: number;
  n: number;
  maxSamples: number;
  trainEpochs: number;
  batchSize: number;
  lr: number;
  maxTrainImages: number | null;
  evalImages: number;
  /** Training batches the BN statistics are recalibrated on per candidate (supernet evaluation). */
  recalBatches: number;
  progressEvery: number;
}

const optString = (o: InputObject, key: string, out: FieldViolation[]): string | null => {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || !v) out.push(violation(`input.${key}`, 'isString', `${key} must be a non-empty string`));
  return v as string;
};

export function parseNssArchSearchInput(raw: unknown): NssArchSearchInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InvalidInputError('nss-arch-search input must be an object', [violation('input', 'isObject', 'must be an object')]);
  const o = raw as InputObject;
  const out: FieldViolation[] = [];
  if (!(NSS_PRESET_NAMES as readonly unknown[]).includes(o.preset)) out.push(violation('input.preset', 'isIn', `preset must be one of ${NSS_PRESET_NAMES.join(', ')}`));
  const input: NssArchSearchInput = {
    dataset: parseDatasetRef(o.dataset, out),
    preset: o.preset as NssPresetName,
    eliteSpaceFile: optString(o, 'eliteSpaceFile', out),
    eliteSpaceId: optString(o, 'eliteSpaceId', out),
    targetFlops: o.targetLatencyMs !== undefined && o.targetLatencyMs !== null && (o.targetFlops === undefined || o.targetFlops === null) ? null : limitField(o, 'targetFlops', L.targetFlops, out),
    targetLatencyMs: o.targetLatencyMs === undefined || o.targetLatencyMs === null ? null : limitField(o, 'targetLatencyMs', L.targetLatencyMs, out),
    latencyTableFile: optString(o, 'latencyTableFile', out),
    seed: limitField(o, 'seed', L.seed, out),
    n: limitField(o, 'n', L.n, out),
    maxSamples: limitField(o, 'maxSamples', L.maxSamples, out),
    trainEpochs: limitField(o, 'trainEpochs', L.trainEpochs, out),
    batchSize: limitField(o, 'batchSize', L.batchSize, out),
    lr: limitField(o, 'lr', L.lr, out),
    maxTrainImages: o.maxTrainImages === undefined || o.maxTrainImages === null ? null : limitField(o, 'maxTrainImages', L.maxTrainImages, out),
    evalImages: limitField(o, 'evalImages', L.evalImages, out),
    recalBatches: limitField(o, 'recalBatches', TL.recalBatches, out),
    progressEvery: limitField(o, 'progressEvery', TL.progressEvery, out),
  };
  if (input.targetFlops !== null && input.targetLatencyMs !== null) out.push(violation('input.targetLatencyMs', 'oneOf', 'give targetFlops or targetLatencyMs, not both'));
  if (input.targetLatencyMs !== null && input.latencyTableFile === null) out.push(violation('input.latencyTableFile', 'required', 'targetLatencyMs needs latencyTableFile'));
  if (out.length) throw new InvalidInputError(`invalid nss-arch-search input: ${out.map((v) => `${v.field} ${v.message}`).join('; ')}`, out);
  return input;
}
