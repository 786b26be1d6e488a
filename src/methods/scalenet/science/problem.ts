/**
 * A family-search problem from user input: the preset (optionally with the dataset's channels and classes), the
 * scaling space of M stages, the budgets f_0..f_M and the weights eta (HSS, Eq. 2) and pi (Eq. 4), checked for
 * consistency and for reach: each budget's band (or cap) must meet the FLOPs the space can produce in that stage
 * (smallest base model at the stage's smallest strategy .. largest base model at its largest strategy).
 * Every error is an InvalidInputError naming the field under `prefix` (e.g. `spec.`).
 */
import { InvalidInputError, violation } from '../../../common/errors';
import { userBudgets } from './budgets';
import { pathFlops } from './cost';
import { latencyBudgets as latencyBudgetList } from './latency';
import { checkWeights, equalEta } from './hss';
import type { BudgetMode } from './mcea';
import { BaseModel, ScaleNetPreset, ScalingSpace, presetByName, scalingSpace } from './space';

export interface ProblemInput {
  preset: string;
  M: number;
  budgets: { f0?: number; list?: number[] } | null;
  eta: number[] | null;
  pi: number[] | null;
  tolerance: number;
  budgetMode: BudgetMode;
  /** Latency budgets (ms): l0 (l_j = 2^j l0) or the list l_0..l_M; checked against the LUT once it is there. */
  maxLatencyMs?: { l0?: number; list?: number[] } | null;
}

export interface FamilyProblem {
  preset: ScaleNetPreset;
  space: ScalingSpace;
  /** f_0..f_M, or null when f0 is to be estimated by Monte Carlo. */
  budgets: number[] | null;
  eta: number[];
  pi: number[];
  /** l_0..l_M in ms (a cap each), or null without a latency budget. */
  latencyBudgets: number[] | null;
}

/** The smallest and largest base models of a preset (fewest blocks / smallest choices; most blocks / largest choices). */
export function extremeBases(preset: ScaleNetPreset): { min: BaseModel; max: BaseModel } {
  const pick = (big: boolean): BaseModel => ({
    stages: preset.stages.map((s) =>
      Array.from({ length: big ? s.maxBlocks : s.minBlocks }, () => ({
        expand: (big ? Math.max : Math.min)(...s.expands),
        kernel: (big ? Math.max : Math.min)(...s.kernels),
        se: big ? s.seChoices.includes(true) : !s.seChoices.includes(false),
      })),
    ),
  });
  return { min: pick(false), max: pick(true) };
}

/** [min, max] FLOPs of stage j's paths. */
export function stageFlopsRange(preset: ScaleNetPreset, space: ScalingSpace, j: number): [number, number] {
  const { min, max } = extremeBases(preset);
  const g = space.stages[j];
  const lo = pathFlops(preset, { base: min, strategy: { d: Math.min(...g.d), w: Math.min(...g.w), r: Math.min(...g.r) } });
  const hi = pathFlops(preset, { base: max, strategy: { d: Math.max(...g.d), w: Math.max(...g.w), r: Math.max(...g.r) } });
  return [lo, hi];
}

/** Throws naming `field` when budget f cannot be met by stage j's paths. */
export function checkReach(preset: ScaleNetPreset, space: ScalingSpace, budgets: readonly number[], mode: BudgetMode, tolerance: number, field: string): void {
  budgets.forEach((f, j) => {
    const [lo, hi] = stageFlopsRange(preset, space, j);
    const ok = mode === 'max' ? lo <= f : f * (1 - tolerance) <= hi && f * (1 + tolerance) >= lo;
    if (!ok) {
      const want = mode === 'max' ? `>= ${lo}` : `within [${Math.ceil(lo / (1 + tolerance))}, ${Math.floor(hi / (1 - tolerance))}]`;
      throw new InvalidInputError(`${field}: budget f_${j} = ${f} is out of the reach of scaling stage ${j} (its paths have ${lo}..${hi} multiply-adds)`, [
        violation(field, 'reachable', `f_${j} must be ${want} for preset ${preset.name} (${mode} mode, tolerance ${tolerance})`),
      ]);
    }
  });
}

/** The validated problem (see the header); `overrides` adapts the preset to the dataset (channels, classes). */
export function familyProblem(input: ProblemInput, prefix = 'spec.', overrides: Partial<Pick<ScaleNetPreset, 'inChannels' | 'classes'>> = {}): FamilyProblem {
  const preset = { ...presetByName(input.preset, `${prefix}preset`), ...overrides };
  const space = scalingSpace(preset, input.M, undefined, `${prefix}M`);
  const eta = input.eta ?? equalEta(input.M);
  checkWeights(eta, input.M + 1, `${prefix}eta`);
  const pi = input.pi ?? Array.from({ length: input.M }, () => 1 / input.M);
  checkWeights(pi, input.M, `${prefix}pi`);
  let budgets: number[] | null = null;
  const b = input.budgets;
  if (b && b.f0 !== undefined && b.list !== undefined) {
    throw new InvalidInputError(`${prefix}budgets: give f0 or list, not both`, [violation(`${prefix}budgets`, 'oneOf', 'give f0 or list, not both')]);
  }
  if (b && b.list !== undefined) budgets = userBudgets(b.list, input.M, `${prefix}budgets`);
  else if (b && b.f0 !== undefined) budgets = userBudgets(b.f0, input.M, `${prefix}budgets`);
  if (budgets) checkReach(preset, space, budgets, input.budgetMode, input.tolerance, `${prefix}budgets`);
  const latencyBudgets = input.maxLatencyMs ? latencyBudgetList(input.maxLatencyMs, input.M, `${prefix}maxLatencyMs`) : null;
  return { preset, space, budgets, eta, pi, latencyBudgets };
}
