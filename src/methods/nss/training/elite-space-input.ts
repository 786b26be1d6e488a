/** Input of the `nss-elite-space` trainer task and its validation (limits: ../job/limits.ts). */
import { FieldViolation, InvalidInputError, violation } from '../../../common/errors';
import { DatasetRef, parseDatasetRef } from '../../../datasets/dataset-ref';
import { InputObject, limitField } from '../../../trainer/tasks/input-checks';
import { NSS_ELITE_LIMITS as L, NSS_ELITE_TASK_LIMITS as TL, NSS_PRESET_NAMES } from '../job/limits';
import type { NssPresetName } from '../science/space';

export interface NssEliteSpaceInput {
  dataset: DatasetRef;
  preset: NssPresetName;
  /** FLOPs target of Eq. 4; null with a latency target. */
  targetFlops: number | null;
  /** Latency target (ms) of L_lat = |Lat(A)/target - 1| (per-residual-block LUT at latencyTableFile); null with a FLOPs target. */
  targetLatencyMs: number | null;
  latencyTableFile: string | null;
  lambda: number;
  epochs: number;
  warmupFraction: number;
  batchSize: number;
  seed: number;
  n: number;
  maxTrainImages: number | null;
  evalImages: number;
  archSamples: number;
  recalBatches: number;
  checkpointEvery: number;
  progressEvery: number;
  histogramBins: number;
  /** Where to write the Elite Space JSON (set by the kind for the artefact); null: not written. */
  exportEliteSpace: string | null;
}

export function parseNssEliteSpaceInput(raw: unknown): NssEliteSpaceInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InvalidInputError('nss-elite-space input must be an object', [violation('input', 'isObject', 'must be an object')]);
  const o = raw as InputObject;
  const out: FieldViolation[] = [];
  if (!(NSS_PRESET_NAMES as readonly unknown[]).includes(o.preset)) out.push(violation('input.preset', 'isIn', `preset must be one of ${NSS_PRESET_NAMES.join(', ')}`));
  if (o.exportEliteSpace !== undefined && o.exportEliteSpace !== null && typeof o.exportEliteSpace !== 'string') out.push(violation('input.exportEliteSpace', 'isString', 'must be a path'));
  const input: NssEliteSpaceInput = {
    dataset: parseDatasetRef(o.dataset, out),
    preset: o.preset as NssPresetName,
    targetFlops: o.targetLatencyMs !== undefined && o.targetLatencyMs !== null && (o.targetFlops === undefined || o.targetFlops === null) ? null : limitField(o, 'targetFlops', L.targetFlops, out),
    targetLatencyMs: o.targetLatencyMs === undefined || o.targetLatencyMs === null ? null : limitField(o, 'targetLatencyMs', L.targetLatencyMs, out),
    latencyTableFile: typeof o.latencyTableFile === 'string' && o.latencyTableFile ? o.latencyTableFile : null,
    lambda: limitField(o, 'lambda', L.lambda, out),
    epochs: limitField(o, 'epochs', L.epochs, out),
    warmupFraction: limitField(o, 'warmupFraction', L.warmupFraction, out),
    batchSize: limitField(o, 'batchSize', L.batchSize, out),
    seed: limitField(o, 'seed', L.seed, out),
    n: limitField(o, 'n', L.n, out),
    maxTrainImages: o.maxTrainImages === undefined || o.maxTrainImages === null ? null : limitField(o, 'maxTrainImages', L.maxTrainImages, out),
    evalImages: limitField(o, 'evalImages', L.evalImages, out),
    archSamples: limitField(o, 'archSamples', L.archSamples, out),
    recalBatches: limitField(o, 'recalBatches', TL.recalBatches, out),
    checkpointEvery: limitField(o, 'checkpointEvery', TL.checkpointEvery, out),
    progressEvery: limitField(o, 'progressEvery', TL.progressEvery, out),
    histogramBins: limitField(o, 'histogramBins', TL.histogramBins, out),
    exportEliteSpace: (o.exportEliteSpace as string | undefined) ?? null,
  };
  if (input.targetFlops !== null && input.targetLatencyMs !== null) out.push(violation('input.targetLatencyMs', 'oneOf', 'give targetFlops or targetLatencyMs, not both'));
  if (input.targetLatencyMs !== null && input.latencyTableFile === null) out.push(violation('input.latencyTableFile', 'required', 'targetLatencyMs needs latencyTableFile'));
  if (out.length) throw new InvalidInputError(`invalid nss-elite-space input: ${out.map((v) => `${v.field} ${v.message}`).join('; ')}`, out);
  return input;
}
