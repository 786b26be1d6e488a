/**
 * NSS latency targets: the per-residual-block latency table (the "residual-block equivalent" of ScaleNet's per-block
 * LUT; src/search/spaces/cost/latency.ts). Units of a network of the Expanded Search Space: the stem (3x3 conv + BN +
 * ReLU), every basic residual block (its input width and resolution, width, stride, projection shortcut), the
 * classifier (pool + FC). Latency decomposes per stage like FLOPs (cost.ts): Lat(a) = stem + sum_i [first_i(w_{i-1},
 * w_i) + (d_i - 1) rest_i(w_i)] + FC(w_3), linear in d_i, so RelaxedFlops with this StageCostModel gives the expected
 * latency under the relaxed distribution, differentiable in Theta, and L_lat = |Lat(A) / target - 1| (Eq. 4-5's form).
 */
import { UnprocessableError, violation } from '../../../common/errors';
import { LatencyTable, LatencyUnit, ResBlockUnit, Shape, predictLatencyMs, unitOwnLatencyMs } from '../../../search/spaces/cost';
import type { StageCostModel } from './flops-loss';
import { ExpandedSearchSpace, NSS_STAGES, NSS_STRIDES, NetworkSpace, NssArch, archCount, needsProjection, stageResolutions, validateArch } from './space';

/** Largest table an NSS job builds (the `paper` preset would need 2 x 512^2 first-block units). */
export const NSS_MAX_LATENCY_UNITS = 20_000;

type Table = Pick<LatencyTable, 'entries' | 'space' | 'overheadMs'>;

function stageInput(s: ExpandedSearchSpace, i: number, c: number): Shape {
  const [h, w] = i === 0 ? [s.inputShape[0], s.inputShape[1]] : stageResolutions(s)[i - 1];
  return { c, h, w };
}

export function stemUnit(s: ExpandedSearchSpace): LatencyUnit {
  return { kind: 'conv', input: { c: s.inputShape[2], h: s.inputShape[0], w: s.inputShape[1] }, cout: s.stemWidth, kernel: 3, stride: 1, groups: 1, bn: true, activation: 'relu' };
}

/** Block 1 of stage i (0-based) after a stage of width wPrev. */
export function firstBlockUnit(s: ExpandedSearchSpace, i: number, wPrev: number, w: number): ResBlockUnit {
  return { kind: 'resblock', input: stageInput(s, i, wPrev), cout: w, stride: NSS_STRIDES[i] as 1 | 2, projection: needsProjection(i, wPrev, w) };
}

/** Blocks 2.. of stage i. */
export function laterBlockUnit(s: ExpandedSearchSpace, i: number, w: number): ResBlockUnit {
  const [h, ww] = stageResolutions(s)[i];
  return { kind: 'resblock', input: { c: w, h, w: ww }, cout: w, stride: 1, projection: false };
}

export function classifierUnit(s: ExpandedSearchSpace, w3: number): LatencyUnit {
  const [h, w] = stageResolutions(s)[NSS_STAGES - 1];
  return { kind: 'classifier', input: { c: w3, h, w }, classes: s.numClasses };
}

/** The units of one architecture, in forward order. */
export function archLatencyUnits(s: ExpandedSearchSpace, a: NssArch): LatencyUnit[] {
  validateArch(s, a);
  const out: LatencyUnit[] = [stemUnit(s)];
  let prev = s.stemWidth;
  for (let i = 0; i < NSS_STAGES; i++) {
    out.push(firstBlockUnit(s, i, prev, a.widths[i]));
    for (let j = 1; j < a.depths[i]; j++) out.push(laterBlockUnit(s, i, a.widths[i]));
    prev = a.widths[i];
  }
  out.push(classifierUnit(s, prev));
  return out;
}

export function archLatencyMs(table: Table, s: ExpandedSearchSpace, a: NssArch): number {
  return predictLatencyMs(table, archLatencyUnits(s, a));
}

/** Number of distinct units of the space (without enumerating them). */
export function spaceLatencyUnitCount(s: ExpandedSearchSpace): number {
  return 1 + s.wMax + (NSS_STAGES - 1) * s.wMax * s.wMax + NSS_STAGES * s.wMax + s.wMax;
}

/** Every unit of every architecture of the Expanded Search Space (the table's keys). */
export function spaceLatencyUnits(s: ExpandedSearchSpace): LatencyUnit[] {
  const out: LatencyUnit[] = [stemUnit(s)];
  for (let i = 0; i < NSS_STAGES; i++) {
    for (let w = 1; w <= s.wMax; w++) {
      if (i === 0) out.push(firstBlockUnit(s, 0, s.stemWidth, w));
      else for (let wp = 1; wp <= s.wMax; wp++) out.push(firstBlockUnit(s, i, wp, w));
      out.push(laterBlockUnit(s, i, w));
    }
  }
  for (let w = 1; w <= s.wMax; w++) out.push(classifierUnit(s, w));
  return out;
}

/** Table id of a space (what a cached table is looked up by). */
export function nssLatencySpaceId(s: ExpandedSearchSpace): string {
  return `nss:${s.name}:d${s.dMax}:w${s.wMax}:${s.inputShape.join('x')}:${s.numClasses}`;
}

/** Per-stage latency sums as a StageCostModel (for RelaxedFlops: the relaxed, Theta-differentiable latency). */
export function latencyCostModel(table: Table, s: ExpandedSearchSpace): StageCostModel {
  const first = new Map<string, number>();
  const later = new Map<string, number>();
  const f = (i: number, wp: number, w: number): number => {
    const k = `${i}:${wp}:${w}`;
    let v = first.get(k);
    if (v === undefined) first.set(k, (v = unitOwnLatencyMs(table, firstBlockUnit(s, i, wp, w))));
    return v;
  };
  const l = (i: number, w: number): number => {
    const k = `${i}:${w}`;
    let v = later.get(k);
    if (v === undefined) later.set(k, (v = unitOwnLatencyMs(table, laterBlockUnit(s, i, w))));
    return v;
  };
  return {
    // the fixed per-run cost once (with the stem), every unit's own latency: equal to archLatencyMs at a one-hot Theta
    stem: (table.overheadMs ?? 0) + unitOwnLatencyMs(table, stemUnit(s)),
    stage: (i, d, wp, w) => f(i, wp, w) + (d - 1) * l(i, w),
    fc: (w) => unitOwnLatencyMs(table, classifierUnit(s, w)),
  };
}

/** Min and max LUT latency over the whole space (per-stage choices are independent given the previous width). */
export function latencyRange(table: Table, s: ExpandedSearchSpace): [number, number] {
  const m = latencyCostModel(table, s);
  // dynamic programme over the width of the previous stage
  let best = new Map<number, [number, number]>([[s.stemWidth, [m.stem, m.stem]]]);
  for (let i = 0; i < NSS_STAGES; i++) {
    const next = new Map<number, [number, number]>();
    for (let w = 1; w <= s.wMax; w++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const [wp, [plo, phi]] of best) {
        lo = Math.min(lo, plo + Math.min(m.stage(i, 1, wp, w), m.stage(i, s.dMax, wp, w)));
        hi = Math.max(hi, phi + Math.max(m.stage(i, 1, wp, w), m.stage(i, s.dMax, wp, w)));
      }
      next.set(w, [lo, hi]);
    }
    best = next;
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const [w, [a, b]] of best) {
    lo = Math.min(lo, a + m.fc(w));
    hi = Math.max(hi, b + m.fc(w));
  }
  return [lo, hi];
}

/** Refuses (422 naming `field`) a space whose table would exceed NSS_MAX_LATENCY_UNITS. */
export function checkLatencyTableSize(s: ExpandedSearchSpace, field: string): void {
  const n = spaceLatencyUnitCount(s);
  if (n > NSS_MAX_LATENCY_UNITS) {
    throw new UnprocessableError(`${field}: preset ${s.name} would need a latency table of ${n} residual-block units (more than ${NSS_MAX_LATENCY_UNITS})`, [
      violation(field, 'latencyTableSize', `latency targets need a per-block table; preset ${s.name} has ${n} distinct blocks (limit ${NSS_MAX_LATENCY_UNITS}); use preset small`),
    ]);
  }
}

/** Throws 422 naming `field` when no network of the space is within +-tolerance of the latency target. */
export function checkLatencyTarget(target: number, range: [number, number], field: string, tolerance = 0.1): void {
  const [min, max] = range;
  if (target * (1 + tolerance) < min || target * (1 - tolerance) > max) {
    throw new UnprocessableError(`${field}: no network of the space has a LUT latency within ${tolerance * 100} % of ${target} ms`, [
      violation(field, 'range', `${field} must be within ${(min / (1 + tolerance)).toFixed(4)}..${(max / (1 - tolerance)).toFixed(4)} ms (the space's networks have ${min.toFixed(4)}..${max.toFixed(4)} ms by the LUT)`),
    ]);
  }
}

/** Table 1's figures for a latency target: networks of `space` whose LUT latency is within +-tolerance (exact enumeration). */
export interface LatencySamplesToMeet {
  archs: number;
  within: number;
  p: number;
  expectedSamples: number | null;
  hitWithin5: number;
  min: number;
  max: number;
  mean: number;
}

/** Largest space enumerated for latencySamplesToMeet (the small preset's whole space has 2,097,152 networks). */
export const NSS_MAX_LATENCY_ENUMERATION = 4_200_000;

/** Exact counts by enumerating every network of `space` (per-stage sums of the LUT); null when the space is larger than NSS_MAX_LATENCY_ENUMERATION. */
export function latencySamplesToMeet(s: ExpandedSearchSpace, space: NetworkSpace, model: StageCostModel, target: number, tolerance = 0.1): LatencySamplesToMeet | null {
  const n = archCount(space);
  if (n > NSS_MAX_LATENCY_ENUMERATION) return null;
  const lo = target * (1 - tolerance);
  const hi = target * (1 + tolerance);
  let within = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  const range = (r: [number, number]): number[] => Array.from({ length: r[1] - r[0] + 1 }, (_, k) => r[0] + k);
  const [d1, d2, d3] = space.depths.map(range);
  const [w1, w2, w3] = space.widths.map(range);
  for (const a of w1)
    for (const b of w2)
      for (const c of w3) {
        const fixed = model.stem + model.fc(c);
        for (const x of d1) {
          const s1 = fixed + model.stage(0, x, s.stemWidth, a);
          for (const y of d2) {
            const s2 = s1 + model.stage(1, y, a, b);
            for (const z of d3) {
              const t = s2 + model.stage(2, z, b, c);
              sum += t;
              if (t < min) min = t;
              if (t > max) max = t;
              if (t >= lo && t <= hi) within++;
            }
          }
        }
      }
  const p = within / n;
  return { archs: n, within, p, expectedSamples: p > 0 ? 1 / p : null, hitWithin5: 1 - (1 - p) ** 5, min, max, mean: sum / n };
}
