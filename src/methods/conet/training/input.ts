/** Input of the `conet` trainer task and its validation (the child gets it unvalidated over IPC). */
import { FieldViolation, InvalidInputError, violation } from '../../../common/errors';
import { parseArchStr } from '../../../benchmarks/nb201/arch';
import { DatasetRef, parseDatasetRef } from '../../../datasets/dataset-ref';
import { InputObject, limitField, numberField } from '../../../trainer/tasks/input-checks';
import type { StopRule, Vote } from '../science/alg2';
import type { TrialWeights } from '../science/transplant';
import { CONET_LIMITS as L, CONET_MAX_SWEEP, CONET_WEIGHTS } from '../job/limits';
import type { ConetPresetDescriptor } from './network';

export const CONET_VOTES: readonly Vote[] = ['mean', 'majority'];
export const CONET_STOP_RULES: readonly StopRule[] = ['per-group', 'any-group'];
export const CONET_SPECTRA = ['svd', 'gram'] as const;
export type ConetSpectrum = (typeof CONET_SPECTRA)[number];
/** Targets a job can give; latency is a per-layer LUT prediction on the service's backend (src/search/spaces/cost/latency.ts). */
export const CONET_TARGET_METRICS = ['params', 'flops', 'latency'] as const;
export type ConetTargetMetric = (typeof CONET_TARGET_METRICS)[number];
export const CONET_TARGET_RULES = ['budget', 'closest'] as const;
export type ConetTargetRule = (typeof CONET_TARGET_RULES)[number];

/** A preset, or a model file (an input artefact: nb201-train's model or a CONet bundle); the kind fills `path` before the run. */
export type ConetNetworkInput = ConetPresetDescriptor | { kind: 'model-file'; path: string | null; artifactId: string };

export interface ConetInput {
  network: ConetNetworkInput;
  dataset: DatasetRef;
  /** one δ, or the δ values of a sweep (Sec. 5.1) */
  deltas: number[];
  mu: number;
  gamma: number;
  phi0: number;
  epochsPerTrial: number;
  maxTrials: number;
  minChannels: number;
  maxChannels: number;
  vote: Vote;
  stopRule: StopRule;
  spectrum: ConetSpectrum;
  /** weights of the next trial (Alg. 2 line 15): 'restart' (default) or 'transplant' */
  weights: TrialWeights;
  batchSize: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  seed: number;
  maxTrainImages: number | null;
  maxTestImages: number | null;
  /** retrain every final configuration from scratch and report its test accuracy */
  retrain: boolean;
  retrainEpochs: number;
  target: { metric: ConetTargetMetric; value: number } | null;
  targetRule: ConetTargetRule;
  /** write the final network (retrained) as a CONet bundle to this file; null = no export */
  exportModel: string | null;
  /** A cached per-layer latency table (latency target); null: none yet, every layer is measured. */
  latencyTableFile?: string | null;
  /** Where the task writes the table it used (the cached one plus the layers it measured); null: not written. */
  exportLatencyTable?: string | null;
}

/** The task's input as the kind sends it: optional fields left out take the limits' defaults. */
export type ConetTaskInput = Partial<ConetInput> & Pick<ConetInput, 'network' | 'dataset' | 'deltas' | 'epochsPerTrial' | 'batchSize' | 'seed'>;

function isObj(v: unknown): v is InputObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseNetwork(raw: unknown, out: FieldViolation[]): ConetNetworkInput {
  const f = 'input.network';
  if (!isObj(raw)) {
    out.push(violation(f, 'isObject', 'network must be {kind: resnet|nb201|model-file, ...}'));
    return raw as ConetNetworkInput;
  }
  if (raw.kind === 'resnet') {
    const triple = (key: 'blocksPerStage' | 'stageChannels'): [number, number, number] => {
      const v = raw[key];
      const lim = L[key];
      if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => Number.isInteger(x) && x >= lim.min && x <= lim.max)) {
        out.push(violation(`${f}.${key}`, 'isTriple', `${key} must be three integers in ${lim.min}..${lim.max}`));
      }
      return v as [number, number, number];
    };
    return { kind: 'resnet', blocksPerStage: triple('blocksPerStage'), stageChannels: triple('stageChannels') };
  }
  if (raw.kind === 'nb201') {
    if (typeof raw.arch !== 'string' || parseArchStr(raw.arch) === null) out.push(violation(`${f}.arch`, 'isNb201Arch', 'arch must be an NB201 arch string'));
    const sub: FieldViolation[] = [];
    const C = limitField(raw, 'C', L.C, sub);
    const N = limitField(raw, 'N', L.N, sub);
    out.push(...sub.map((v) => ({ ...v, field: v.field.replace(/^input\./, `${f}.`) })));
    return { kind: 'nb201', arch: raw.arch as string, C, N };
  }
  if (raw.kind === 'model-file') {
    if (raw.path !== null && (typeof raw.path !== 'string' || raw.path === '')) out.push(violation(`${f}.path`, 'isString', 'path must be a file path or null'));
    if (typeof raw.artifactId !== 'string') out.push(violation(`${f}.artifactId`, 'isString', 'artifactId must be the input artefact id'));
    return { kind: 'model-file', path: raw.path as string | null, artifactId: raw.artifactId as string };
  }
  out.push(violation(`${f}.kind`, 'isIn', 'kind must be resnet, nb201 or model-file'));
  return raw as ConetNetworkInput;
}

function oneOf<T extends string>(o: InputObject, key: string, values: readonly T[], fallback: T, out: FieldViolation[]): T {
  const v = o[key] ?? fallback;
  if (!(values as readonly unknown[]).includes(v)) out.push(violation(`input.${key}`, 'isIn', `${key} must be one of ${values.join(', ')}`));
  return v as T;
}

export function parseConetInput(raw: unknown): ConetInput {
  if (!isObj(raw)) throw new InvalidInputError('conet input must be an object', [violation('input', 'isObject', 'must be an object')]);
  const o = raw;
  const out: FieldViolation[] = [];
  const network = parseNetwork(o.network, out);
  const dataset = parseDatasetRef(o.dataset, out);
  const deltas = o.deltas;
  if (!Array.isArray(deltas) || deltas.length < 1 || deltas.length > CONET_MAX_SWEEP || !deltas.every((d) => typeof d === 'number' && Number.isFinite(d) && d >= L.delta.min && d <= L.delta.max)) {
    out.push(violation('input.deltas', 'isDeltaList', `deltas must be 1..${CONET_MAX_SWEEP} numbers in ${L.delta.min}..${L.delta.max}`));
  } else if (new Set(deltas).size !== deltas.length) out.push(violation('input.deltas', 'unique', 'deltas must be distinct'));
  let target: ConetInput['target'] = null;
  if (o.target !== undefined && o.target !== null) {
    const t = o.target;
    if (!isObj(t) || !(CONET_TARGET_METRICS as readonly unknown[]).includes(t.metric)) {
      out.push(violation('input.target.metric', 'isIn', `target metric must be one of ${CONET_TARGET_METRICS.join(', ')}`));
    } else {
      const sub: FieldViolation[] = [];
      const value = numberField(t, 'value', L.targetValue, sub);
      out.push(...sub.map((v) => ({ ...v, field: 'input.target.value' })));
      target = { metric: t.metric as ConetTargetMetric, value };
    }
  }
  const optionalInt = (key: 'maxTrainImages' | 'maxTestImages'): number | null => (o[key] === undefined || o[key] === null ? null : limitField(o, key, L[key], out));
  const bool = (key: string, fallback: boolean): boolean => {
    const v = o[key] ?? fallback;
    if (typeof v !== 'boolean') out.push(violation(`input.${key}`, 'isBoolean', `${key} must be a boolean`));
    return v as boolean;
  };
  if (o.exportModel !== undefined && o.exportModel !== null && (typeof o.exportModel !== 'string' || o.exportModel === '')) out.push(violation('input.exportModel', 'isString', 'exportModel must be a file path'));
  const input: ConetInput = {
    network,
    dataset,
    deltas: deltas as number[],
    mu: limitField(o, 'mu', L.mu, out),
    gamma: limitField(o, 'gamma', L.gamma, out),
    phi0: limitField(o, 'phi0', L.phi0, out),
    epochsPerTrial: limitField(o, 'epochsPerTrial', L.epochsPerTrial, out),
    maxTrials: limitField(o, 'maxTrials', L.maxTrials, out),
    minChannels: limitField(o, 'minChannels', L.minChannels, out),
    maxChannels: limitField(o, 'maxChannels', L.maxChannels, out),
    vote: oneOf(o, 'vote', CONET_VOTES, 'mean', out),
    stopRule: oneOf(o, 'stopRule', CONET_STOP_RULES, 'per-group', out),
    spectrum: oneOf(o, 'spectrum', CONET_SPECTRA, 'svd', out),
    weights: oneOf(o, 'weights', CONET_WEIGHTS.values, CONET_WEIGHTS.default, out),
    batchSize: limitField(o, 'batchSize', L.batchSize, out),
    lr: limitField(o, 'lr', L.lr, out),
    momentum: limitField(o, 'momentum', L.momentum, out),
    weightDecay: limitField(o, 'weightDecay', L.weightDecay, out),
    seed: limitField(o, 'seed', L.seed, out),
    maxTrainImages: optionalInt('maxTrainImages'),
    maxTestImages: optionalInt('maxTestImages'),
    retrain: bool('retrain', true),
    retrainEpochs: limitField(o, 'retrainEpochs', L.retrainEpochs, out),
    target,
    latencyTableFile: typeof o.latencyTableFile === 'string' && o.latencyTableFile ? o.latencyTableFile : null,
    exportLatencyTable: typeof o.exportLatencyTable === 'string' && o.exportLatencyTable ? o.exportLatencyTable : null,
    targetRule: oneOf(o, 'targetRule', CONET_TARGET_RULES, 'budget', out),
    exportModel: (o.exportModel as string | undefined) ?? null,
  };
  if (out.length === 0 && input.minChannels > input.maxChannels) out.push(violation('input.minChannels', 'max', 'minChannels must not exceed maxChannels'));
  if (out.length === 0 && input.exportModel !== null && !input.retrain) out.push(violation('input.exportModel', 'needsRetrain', 'the exported model is the retrained final network: exportModel needs retrain'));
  if (out.length) throw new InvalidInputError(`invalid conet input: ${out.map((v) => `${v.field} ${v.message}`).join('; ')}`, out);
  return input;
}
