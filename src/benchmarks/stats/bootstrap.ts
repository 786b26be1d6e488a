import { Rng } from '../../common/rng';
import { kendallTauB, spearmanRho, type Numbers } from './correlation';

/** A percentile bootstrap confidence interval of a correlation coefficient. */
export interface BootstrapInterval {
  /** Confidence level, e.g. 0.95. */
  level: number;
  lo: number;
  hi: number;
  /** Resamples drawn; resamples on which the coefficient was undefined (a constant side) are skipped. */
  resamples: number;
  used: number;
  seed: number;
}

export interface CorrelationIntervals {
  kendallTau: BootstrapInterval;
  spearmanRho: BootstrapInterval;
}

/** Value at quantile q of sorted values (linear interpolation between order statistics). */
function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const i = Math.floor(pos);
  const f = pos - i;
  return i + 1 < sorted.length ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[i];
}

/**
 * Percentile bootstrap intervals of Kendall tau-b and Spearman rho of (x, y): `resamples` draws of n pairs with
 * replacement from a seeded Rng (deterministic for a given seed).
 */
export function bootstrapCorrelation(x: Numbers, y: Numbers, opts: { resamples?: number; level?: number; seed?: number } = {}): CorrelationIntervals {
  const n = x.length;
  if (y.length !== n) throw new RangeError(`x and y must have the same length (${n} vs ${y.length})`);
  const resamples = opts.resamples ?? 1000;
  const level = opts.level ?? 0.95;
  const seed = opts.seed ?? 1;
  const rng = Rng.fromSeed(seed);
  const taus: number[] = [];
  const rhos: number[] = [];
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let r = 0; r < resamples && n >= 2; r++) {
    for (let i = 0; i < n; i++) {
      const j = rng.int(n);
      xs[i] = x[j];
      ys[i] = y[j];
    }
    const t = kendallTauB(xs, ys);
    const s = spearmanRho(xs, ys);
    if (Number.isFinite(t)) taus.push(t);
    if (Number.isFinite(s)) rhos.push(s);
  }
  const interval = (v: number[]): BootstrapInterval => {
    v.sort((a, b) => a - b);
    return { level, lo: quantile(v, (1 - level) / 2), hi: quantile(v, 1 - (1 - level) / 2), resamples, used: v.length, seed };
  };
  return { kendallTau: interval(taus), spearmanRho: interval(rhos) };
}
