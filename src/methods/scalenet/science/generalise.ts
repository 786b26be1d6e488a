/**
 * Larger-scale generalisation (Sec. 3.4, appendix C): per dimension (depth, width, resolution) fit a function of
 * the scaling stage j to the searched S_1..S_M (S_0 = [1,1,1] is built into every form), then extend to S_{M+1}..
 * - `exponential` (Eq. 9): y_j = a0 * (a1^j - 1) + 1
 * - `linear` (Eq. 23): y_j = a0 * j + 1
 * - `quadratic` (Eq. 26): y_j = a0 * j^2 + a1 * j + 1
 * each by least squares over j = 1..M subject to a0 > 0 (Eq. 27). The constraint is strict; when the unconstrained
 * optimum has a0 <= 0 the infimum lies on the boundary a0 -> 0, reported as a0 = 0 with `atBoundary`. Eq. 27
 * constrains a0 only, so Eq. 9 with a1 in (0, 1) still fits decreasing data (a1 is searched over (0, inf)).
 * Solvers: closed-form normal equations for the linear and quadratic forms; for Eq. 9 the optimal a0 given a1 is
 * closed-form, and a1 = exp(u) is found by a grid over u in [-5, 5] refined by golden-section search.
 */
import { InvalidInputError, violation } from '../../../common/errors';
import { ScalingStrategy } from './space';

export type GeneralisationKind = 'exponential' | 'linear' | 'quadratic';
export type Dimension = 'd' | 'w' | 'r';

export interface DimensionFit {
  kind: GeneralisationKind;
  a0: number;
  /** Eq. 9: the base a1; Eq. 26: the linear coefficient a1; Eq. 23: 0. */
  a1: number;
  /** The constraint a0 > 0 was active (a0 reported as its limit 0). */
  atBoundary: boolean;
  /** y_j - f(j) for j = 1..M. */
  residuals: number[];
  /** Sum of squared residuals (the objective of Eq. 27). */
  sse: number;
}

/** f(j) of a fitted dimension. */
export function predict(fit: DimensionFit, j: number): number {
  switch (fit.kind) {
    case 'exponential':
      return fit.a0 * (fit.a1 ** j - 1) + 1; // Eq. 9
    case 'linear':
      return fit.a0 * j + 1; // Eq. 23
    case 'quadratic':
      return fit.a0 * j * j + fit.a1 * j + 1; // Eq. 26
  }
}

function finish(kind: GeneralisationKind, a0: number, a1: number, atBoundary: boolean, ys: readonly number[]): DimensionFit {
  const fit: DimensionFit = { kind, a0, a1, atBoundary, residuals: [], sse: 0 };
  fit.residuals = ys.map((y, i) => y - predict(fit, i + 1));
  fit.sse = fit.residuals.reduce((a, r) => a + r * r, 0);
  return fit;
}

/** Eq. 27 with Eq. 23: a0 = sum j (y_j - 1) / sum j^2, a0 > 0. */
function fitLinear(ys: readonly number[]): DimensionFit {
  let num = 0;
  let den = 0;
  ys.forEach((y, i) => {
    num += (i + 1) * (y - 1);
    den += (i + 1) ** 2;
  });
  const a0 = num / den;
  return a0 > 0 ? finish('linear', a0, 0, false, ys) : finish('linear', 0, 0, true, ys);
}

/** Eq. 27 with Eq. 26: 2x2 normal equations; on a0 <= 0 the boundary a0 = 0 with the best a1. */
function fitQuadratic(ys: readonly number[]): DimensionFit {
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let b2 = 0;
  let b1 = 0;
  ys.forEach((y, i) => {
    const j = i + 1;
    s2 += j * j;
    s3 += j ** 3;
    s4 += j ** 4;
    b2 += j * j * (y - 1);
    b1 += j * (y - 1);
  });
  const det = s4 * s2 - s3 * s3;
  const a0 = (b2 * s2 - s3 * b1) / det;
  const a1 = (s4 * b1 - s3 * b2) / det;
  if (a0 > 0) return finish('quadratic', a0, a1, false, ys);
  return finish('quadratic', 0, b1 / s2, true, ys);
}

/** For fixed a1: the optimal a0 >= 0 of Eq. 9 and its sum of squares. */
function expProfile(ys: readonly number[], a1: number): { a0: number; sse: number } {
  let num = 0;
  let den = 0;
  ys.forEach((y, i) => {
    const g = a1 ** (i + 1) - 1;
    num += g * (y - 1);
    den += g * g;
  });
  const a0 = den > 0 ? Math.max(0, num / den) : 0;
  let sse = 0;
  ys.forEach((y, i) => {
    const r = y - (a0 * (a1 ** (i + 1) - 1) + 1);
    sse += r * r;
  });
  return { a0, sse };
}

/** Eq. 27 with Eq. 9. */
function fitExponential(ys: readonly number[]): DimensionFit {
  const f = (u: number): number => (Math.abs(u) < 1e-12 ? Infinity : expProfile(ys, Math.exp(u)).sse);
  const lo = -5;
  const hi = 5;
  const n = 20_000;
  const h = (hi - lo) / n;
  let bestU = lo;
  let best = Infinity;
  for (let k = 0; k <= n; k++) {
    const u = lo + k * h;
    const v = f(u);
    if (v < best) {
      best = v;
      bestU = u;
    }
  }
  // golden-section refinement on [bestU - h, bestU + h]
  let a = bestU - h;
  let b = bestU + h;
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let it = 0; it < 200 && b - a > 1e-13; it++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  const u = f((a + b) / 2) <= best ? (a + b) / 2 : bestU;
  const a1 = Math.exp(u);
  const { a0 } = expProfile(ys, a1);
  if (a0 > 0) return finish('exponential', a0, a1, false, ys);
  return finish('exponential', 0, 1, true, ys);
}

/** Least-squares fit of one dimension's searched values y_1..y_M (Eq. 27). */
export function fitDimension(kind: GeneralisationKind, ys: readonly number[], field = 'strategies'): DimensionFit {
  const need = kind === 'linear' ? 1 : 2;
  if (ys.length < need) {
    throw new InvalidInputError(`${kind} generalisation needs at least ${need} searched scaling stages, got ${ys.length}`, [
      violation(field, 'length', `${kind} generalisation needs M >= ${need} (it has ${need === 1 ? 'one free parameter' : 'two free parameters'} per dimension)`),
    ]);
  }
  if (!ys.every(Number.isFinite)) throw new InvalidInputError('searched coefficients must be finite', [violation(field, 'finite', 'must be finite numbers')]);
  return kind === 'linear' ? fitLinear(ys) : kind === 'quadratic' ? fitQuadratic(ys) : fitExponential(ys);
}

export interface Generalisation {
  kind: GeneralisationKind;
  fits: Record<Dimension, DimensionFit>;
  /** S_0..S_upTo: searched for j <= M, generalised (fitted, raised to at least 1) beyond. */
  strategies: ScalingStrategy[];
  /** Which entries of `strategies` were generalised (j > M). */
  generalised: boolean[];
}

/** Fits the three dimensions to searched S_0..S_M and extends the family to S_upTo (default S_5). */
export function generalise(searched: readonly ScalingStrategy[], kind: GeneralisationKind = 'exponential', upTo = 5): Generalisation {
  const M = searched.length - 1;
  const s0 = searched[0];
  if (!s0 || s0.d !== 1 || s0.w !== 1 || s0.r !== 1) throw new InvalidInputError('S_0 must be [1, 1, 1]', [violation('strategies[0]', 'equals', 'must be d = w = r = 1')]);
  const fits = {} as Record<Dimension, DimensionFit>;
  for (const dim of ['d', 'w', 'r'] as const) fits[dim] = fitDimension(kind, searched.slice(1).map((s) => s[dim]));
  const strategies: ScalingStrategy[] = [];
  const generalised: boolean[] = [];
  for (let j = 0; j <= Math.max(upTo, M); j++) {
    if (j <= M) strategies.push({ ...searched[j] });
    else strategies.push({ d: Math.max(1, predict(fits.d, j)), w: Math.max(1, predict(fits.w, j)), r: Math.max(1, predict(fits.r, j)) });
    generalised.push(j > M);
  }
  return { kind, fits, strategies, generalised };
}
