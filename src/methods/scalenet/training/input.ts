/** Input of the `scalenet-family` trainer task and its validation (violations name `input.<field>`). */
import { FieldViolation, InvalidInputError, violation } from '../../../common/errors';
import { DatasetRef, parseDatasetRef } from '../../../datasets/dataset-ref';
import { InputObject, numberField } from '../../../trainer/tasks/input-checks';
import { SCALENET_BUDGET_MODES, SCALENET_GENERALISATIONS, SCALENET_FAMILY_DEFAULTS as D, SCALENET_FAMILY_LIMITS as L, SCALENET_SAMPLERS } from '../job/limits';
import type { BudgetMode } from '../science/mcea';
import type { SamplerKind } from '../science/hss';
import type { GeneralisationKind } from '../science/generalise';
import { PRESETS, PresetName } from '../science/space';

export interface ScaleNetFamilyInput {
  dataset: DatasetRef;
  preset: PresetName;
  M: number;
  /** f0 (f_j = 2^j f0), or the whole list f_0..f_M; neither: f0 by Monte Carlo (appendix A). */
  budgets: { f0?: number; list?: number[] } | null;
  sampler: SamplerKind;
  /** eta_0..eta_M of HSS (Eq. 2); null = equal. */
  eta: number[] | null;
  /** pi_1..pi_M of Eq. 4; null = equal. */
  pi: number[] | null;
  epochs: number;
  batchSize: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  warmupEpochs: number;
  seed: number;
  maxTrainImages: number | null;
  validFraction: number;
  evalImages: number;
  recalBatches: number;
  f0Samples: number;
  tolerance: number;
  budgetMode: BudgetMode;
  generaliseTo: number;
  /** Fit used to extend the family beyond M (all three are reported). */
  generalisation: GeneralisationKind;
  T: number;
  K: number;
  P: number;
  N: number;
  /** Latency budgets in ms (l_j = 2^j l0, or the list); caps checked by the LUT at latencyTableFile. */
  maxLatencyMs?: { l0?: number; list?: number[] } | null;
  /** The latency look-up table (JSON, src/search/spaces/cost/latency.ts); required with maxLatencyMs. */
  latencyTableFile?: string | null;
  /** A trained supernet file (artefact) to search with instead of training one. */
  supernetFile: string | null;
  /** Where to write the trained supernet (the job turns it into a `supernet` artefact); null = do not write. */
  exportSupernet: string | null;
  /** Where to write the family JSON (the job turns it into a `model-family` artefact); null = do not write. */
  exportFamily: string | null;
  /** Retrain every member from scratch for this many epochs (0 = none). */
  retrainEpochs: number;
  retrainLr: number;
  /** Score retrained members on the first N test images (null = all). */
  maxTestImages: number | null;
  /** Folder for the retrained members' LayersModel bundles S<j>.json (the job makes them `model` artefacts); null = none. */
  exportMembers: string | null;
  checkpointEvery: number;
  /** Seconds between checkpoints of the search phase (its weights do not change, only the MCEA state). */
  searchCheckpointSeconds?: number;
  progressEvery: number;
}

function numberList(o: InputObject, key: string, out: FieldViolation[]): number[] | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    out.push(violation(`input.${key}`, 'isArray', `${key} must be a list of finite numbers`));
    return null;
  }
  return v as number[];
}

/** Budgets given as `{<base>}` (then doubled per stage) or `{list}`: budgets {f0} / maxLatencyMs {l0}; null when absent. */
function baseOrList<B extends string>(o: InputObject, field: string, base: B, out: FieldViolation[]): ({ [K in B]?: number } & { list?: number[] }) | null {
  const b = o[field] as InputObject | null | undefined;
  if (b === undefined || b === null) return null;
  if (typeof b !== 'object' || Array.isArray(b)) {
    out.push(violation(`input.${field}`, 'isObject', `${field} must be {${base}} or {list}`));
    return null;
  }
  const r: { [K in B]?: number } & { list?: number[] } = {};
  if (b[base] !== undefined) (r as Record<string, number>)[base] = b[base] as number;
  const list = numberList(b, 'list', out);
  if (list) r.list = list;
  return r;
}

const optionalPath = (o: InputObject, key: string, out: FieldViolation[]): string | null => {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || !v) out.push(violation(`input.${key}`, 'isString', `${key} must be a file path`));
  return v as string;
};

export function parseScaleNetFamilyInput(raw: unknown): ScaleNetFamilyInput {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new InvalidInputError('scalenet-family input must be an object', [violation('input', 'isObject', 'must be an object')]);
  }
  const o = raw as InputObject;
  const out: FieldViolation[] = [];
  const int = (key: Exclude<keyof typeof L, 'lr' | 'retrainLr'>, fallback?: number): number => numberField(o, key, { int: true, min: L[key].min, max: L[key].max }, out, fallback);
  const preset = (o.preset ?? D.preset) as PresetName;
  if (!Object.prototype.hasOwnProperty.call(PRESETS, preset)) out.push(violation('input.preset', 'isIn', `preset must be one of ${Object.keys(PRESETS).join(', ')}`));
  const sampler = (o.sampler ?? D.sampler) as SamplerKind;
  if (!(SCALENET_SAMPLERS as readonly unknown[]).includes(sampler)) out.push(violation('input.sampler', 'isIn', `sampler must be one of ${SCALENET_SAMPLERS.join(', ')}`));
  const budgetMode = (o.budgetMode ?? D.budgetMode) as BudgetMode;
  if (!(SCALENET_BUDGET_MODES as readonly unknown[]).includes(budgetMode)) out.push(violation('input.budgetMode', 'isIn', `budgetMode must be one of ${SCALENET_BUDGET_MODES.join(', ')}`));
  const generalisation = (o.generalisation ?? D.generalisation) as GeneralisationKind;
  if (!(SCALENET_GENERALISATIONS as readonly unknown[]).includes(generalisation)) out.push(violation('input.generalisation', 'isIn', `generalisation must be one of ${SCALENET_GENERALISATIONS.join(', ')}`));
  const budgets = baseOrList(o, 'budgets', 'f0', out);
  const maxLatencyMs = baseOrList(o, 'maxLatencyMs', 'l0', out);
  const latencyTableFile = optionalPath(o, 'latencyTableFile', out);
  if (maxLatencyMs && !latencyTableFile) out.push(violation('input.latencyTableFile', 'required', 'maxLatencyMs needs latencyTableFile'));
  const input: ScaleNetFamilyInput = {
    dataset: parseDatasetRef(o.dataset, out),
    maxLatencyMs,
    latencyTableFile,
    preset,
    M: int('M', D.M),
    budgets,
    sampler,
    eta: numberList(o, 'eta', out),
    pi: numberList(o, 'pi', out),
    epochs: int('epochs', D.epochs),
    batchSize: int('batchSize', D.batchSize),
    lr: numberField(o, 'lr', { exclusiveMin: 0, max: L.lr.max }, out, D.lr),
    momentum: numberField(o, 'momentum', { min: 0, max: 0.999 }, out, D.momentum),
    weightDecay: numberField(o, 'weightDecay', { min: 0, max: 1 }, out, D.weightDecay),
    warmupEpochs: numberField(o, 'warmupEpochs', L.warmupEpochs, out, D.warmupEpochs),
    seed: numberField(o, 'seed', { int: true, min: 0, max: 2 ** 31 - 1 }, out, D.seed),
    maxTrainImages: o.maxTrainImages === undefined || o.maxTrainImages === null ? null : int('maxTrainImages'),
    validFraction: numberField(o, 'validFraction', L.validFraction, out, D.validFraction),
    evalImages: int('evalImages', D.evalImages),
    recalBatches: int('recalBatches', D.recalBatches),
    f0Samples: int('f0Samples', D.f0Samples),
    tolerance: numberField(o, 'tolerance', L.tolerance, out, D.tolerance),
    budgetMode,
    generaliseTo: int('generaliseTo', D.generaliseTo),
    generalisation,
    T: int('T', D.T),
    K: int('K', D.K),
    P: int('P', D.P),
    N: int('N', D.N),
    supernetFile: optionalPath(o, 'supernetFile', out),
    exportSupernet: optionalPath(o, 'exportSupernet', out),
    exportFamily: optionalPath(o, 'exportFamily', out),
    retrainEpochs: int('retrainEpochs', D.retrainEpochs),
    retrainLr: numberField(o, 'retrainLr', { exclusiveMin: 0, max: L.retrainLr.max }, out, D.retrainLr),
    maxTestImages: o.maxTestImages === undefined || o.maxTestImages === null ? null : int('maxTestImages'),
    exportMembers: optionalPath(o, 'exportMembers', out),
    checkpointEvery: numberField(o, 'checkpointEvery', { int: true, min: 1, max: 1_000_000 }, out, D.checkpointEvery),
    searchCheckpointSeconds: numberField(o, 'searchCheckpointSeconds', { min: 0, max: 3600 }, out, 15),
    progressEvery: numberField(o, 'progressEvery', { int: true, min: 1, max: 1_000_000 }, out, D.progressEvery),
  };
  if (out.length) throw new InvalidInputError(`invalid scalenet-family input: ${out.map((v) => `${v.field} ${v.message}`).join('; ')}`, out);
  return input;
}
