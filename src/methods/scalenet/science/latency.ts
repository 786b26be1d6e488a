/**
 * ScaleNet latency budgets: a path's latency is predicted from a per-block look-up table (src/search/spaces/cost/
 * latency.ts) measured on the service's inference backend. Units: Conv_stem (3x3 + BN + swish), every MBConv block
 * (expand, kernel, SE squeeze, stride, channels, resolution), Conv_out (1x1 + BN + swish), and the classifier
 * (pool + FC). The table of a preset holds every unit of every path of scaling stages 0..M: per stage j, every
 * width and resolution coefficient of Table 7's row j, every Table 6 block choice, first and later blocks.
 */
import { FieldViolation, InvalidInputError, UnprocessableError, violation } from '../../../common/errors';
import { LatencyTable, LatencyUnit, MbconvUnit, distinctUnits, predictLatencyMs } from '../../../search/spaces/cost';
import { exponentialBudgets } from './budgets';
import { seChannels } from './cost';
import { ConcreteNet, generatePath, scaledResolution, scaledWidth } from './path';
import { BaseModel, ScaleNetPath, ScaleNetPreset, ScalingSpace } from './space';

const down = (n: number, s: number): number => Math.ceil(n / s);

/** The latency units of a concrete network, in forward order. */
export function netLatencyUnits(net: ConcreteNet): LatencyUnit[] {
  let h = down(net.resolution, net.stem.stride);
  const units: LatencyUnit[] = [
    { kind: 'conv', input: { c: net.inChannels, h: net.resolution, w: net.resolution }, cout: net.stem.cout, kernel: net.stem.kernel, stride: net.stem.stride, groups: 1, bn: true, activation: 'swish' },
  ];
  let c = net.stem.cout;
  for (const st of net.stages) {
    for (const b of st.blocks) {
      const u: MbconvUnit = {
        kind: 'mbconv',
        input: { c, h, w: h },
        cout: b.cout,
        expand: b.expand,
        kernel: b.kernel,
        stride: b.stride,
        se: b.se ? seChannels(b.cin, net.seRatio) : 0,
        activation: 'swish',
        residual: b.stride === 1 && b.cin === b.cout,
      };
      units.push(u);
      h = down(h, b.stride);
      c = b.cout;
    }
  }
  units.push({ kind: 'conv', input: { c, h, w: h }, cout: net.head.cout, kernel: 1, stride: 1, groups: 1, bn: true, activation: 'swish' });
  units.push({ kind: 'classifier', input: { c: net.head.cout, h, w: h }, classes: net.classes });
  return units;
}

export function pathLatencyUnits(preset: ScaleNetPreset, p: ScaleNetPath): LatencyUnit[] {
  return netLatencyUnits(generatePath(preset, p.base, p.strategy));
}

/** LUT-predicted latency (ms) of a path. */
export function pathLatencyMs(table: Pick<LatencyTable, 'entries' | 'space'>, preset: ScaleNetPreset, p: ScaleNetPath): number {
  return predictLatencyMs(table, pathLatencyUnits(preset, p));
}

/** The name of a preset's table (what a cached table is looked up by). */
export function latencySpaceId(preset: ScaleNetPreset, M: number): string {
  return `scalenet:${preset.name}:M${M}:${preset.inChannels}x${preset.resolution}x${preset.resolution}:${preset.classes}`;
}

/**
 * Every distinct unit of the preset's paths over scaling stages 0..M (the LUT's keys). Within stage j the width and
 * resolution coefficients of row j are combined; depth only repeats blocks, so it adds no unit.
 */
export function presetLatencyUnits(preset: ScaleNetPreset, space: ScalingSpace): LatencyUnit[] {
  const out: LatencyUnit[] = [];
  const choices = (i: number): Array<{ expand: number; kernel: number; se: boolean }> => {
    const s = preset.stages[i];
    const c: Array<{ expand: number; kernel: number; se: boolean }> = [];
    for (const expand of s.expands) for (const kernel of s.kernels) for (const se of s.seChoices) c.push({ expand, kernel, se });
    return c;
  };
  const seen = new Set<string>();
  for (const g of space.stages) {
    for (const w of g.w) {
      for (const r of g.r) {
        const sig = `${scaledWidth(1000, w)}:${scaledResolution(preset.resolution, r)}`;
        if (seen.has(sig)) continue;
        seen.add(sig);
        // a network with two blocks per stage of each choice covers first and later blocks at this (w, r)
        preset.stages.forEach((_, i) => {
          for (const ch of choices(i)) {
            const base = { stages: preset.stages.map((s, k) => (k === i ? [ch, ch] : [{ expand: s.expands[0], kernel: s.kernels[0], se: s.seChoices[0] }])) };
            const net = generatePath(preset, base, { d: 1, w, r });
            out.push(...netLatencyUnits(net));
          }
        });
      }
    }
  }
  return distinctUnits(out);
}

/** l_j = 2^j l0 (ms), or the user's list of M + 1 increasing positive budgets; InvalidInputError naming `field`. */
export function latencyBudgets(given: { l0?: number; list?: number[] }, M: number, field: string): number[] {
  const bad = (f: string, rule: string, msg: string): never => {
    throw new InvalidInputError(`${f} ${msg}`, [violation(f, rule, msg)]);
  };
  if (given.l0 !== undefined && given.list !== undefined) bad(field, 'oneOf', 'give l0 or list, not both');
  if (given.list !== undefined) {
    if (!Array.isArray(given.list) || given.list.length !== M + 1) bad(`${field}.list`, 'length', `must have M + 1 = ${M + 1} entries`);
    given.list.forEach((l, j) => {
      if (!Number.isFinite(l) || l <= 0) bad(`${field}.list[${j}]`, 'min', 'must be > 0');
      if (j > 0 && l <= given.list![j - 1]) bad(`${field}.list[${j}]`, 'increasing', 'must exceed the previous budget');
    });
    return [...given.list];
  }
  if (given.l0 === undefined) bad(field, 'oneOf', 'give l0 or list');
  if (!Number.isFinite(given.l0) || given.l0! <= 0) bad(`${field}.l0`, 'min', 'must be > 0');
  return exponentialBudgets(given.l0!, M);
}

/**
 * Throws an UnprocessableError naming `field` when latency budget l_j is below the LUT latency of stage j's
 * fastest path (the smallest base model at the stage's smallest strategy): no path of the stage can meet it.
 */
/** Stage j's fastest path: the fastest base model with stage j's smallest coefficients. */
export function stageFastestPaths(space: ScalingSpace, fastest: BaseModel): ScaleNetPath[] {
  return space.stages.map((g) => ({ base: fastest, strategy: { d: Math.min(...g.d), w: Math.min(...g.w), r: Math.min(...g.r) } }));
}

/** LUT latency (ms) of each stage's fastest path. */
export function stageFastestMs(space: ScalingSpace, predict: (p: ScaleNetPath) => number, fastest: BaseModel): number[] {
  return stageFastestPaths(space, fastest).map(predict);
}

/** The first latency budget below its stage's fastest path, or null when every budget is within reach. */
export function latencyReachViolation(budgetsMs: readonly number[], fastestMs: readonly number[]): { stage: number; budgetMs: number; fastestMs: number } | null {
  const j = budgetsMs.findIndex((l, i) => fastestMs[i] > l);
  return j < 0 ? null : { stage: j, budgetMs: budgetsMs[j], fastestMs: fastestMs[j] };
}

/** Violation of an unreachable latency budget; `where` says which table's prediction it is. */
export function latencyReachError<E extends InvalidInputError | UnprocessableError>(
  ErrorClass: new (message: string, violations: FieldViolation[]) => E,
  field: string,
  v: { stage: number; budgetMs: number; fastestMs: number },
  where: string,
): E {
  const lo = v.fastestMs.toFixed(3);
  return new ErrorClass(`${field}: latency budget l_${v.stage} = ${v.budgetMs} ms is below the fastest path of scaling stage ${v.stage} (${lo} ms by the LUT ${where})`, [
    violation(field, 'reachable', `l_${v.stage} must be >= ${lo} ms (LUT prediction of stage ${v.stage}'s fastest path ${where})`),
  ]);
}

/** Returns each stage's fastest LUT latency (ms); throws UnprocessableError naming `field` when a budget is below it. */
export function checkLatencyReach(space: ScalingSpace, budgetsMs: readonly number[], predict: (p: ScaleNetPath) => number, field: string, fastest: BaseModel): number[] {
  const lo = stageFastestMs(space, predict, fastest).slice(0, budgetsMs.length);
  const v = latencyReachViolation(budgetsMs, lo);
  if (v) throw latencyReachError(UnprocessableError, field, v, "on this service's backend");
  return lo;
}
