import { Rng } from '../../common/rng';
import { kendallTauB, spearmanRho, type Numbers } from './correlation';

/** A statistic with its percentile bootstrap confidence interval. */
export interface BootstrapInterval {
  estimate: number;
  lo: number;
  hi: number;
  /** Confidence level, e.g. 0.95. */
  level: number;
  resamples: number;
  seed: number;
}

/**
 * Percentile bootstrap (Efron & Tibshirani 1993, Ch. 13) of a paired statistic: `resamples` times, draw n pairs
 * (x_i, y_i) with replacement (seeded), compute `stat`; the interval is the (1-level)/2 and (1+level)/2 quantiles of
 * the finite resampled values (a resample on which the statistic is undefined, e.g. all ties, is skipped).
 */
export function pairedBootstrap(x: Numbers, y: Numbers, stat: (x: Float64Array, y: Float64Array) => number, resamples = 2000, level = 0.95, seed = 0): BootstrapInterval {
  const n = x.length;
  if (n !== y.length || n < 2) throw new RangeError('pairedBootstrap needs two samples of equal length >= 2');
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1), got ${level}`);
  const rng = Rng.fromSeed(seed);
  const bx = new Float64Array(n);
  const by = new Float64Array(n);
  const values: number[] = [];
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const j = rng.int(n);
      bx[i] = x[j];
      by[i] = y[j];
    }
    const v = stat(bx, by);
    if (Number.isFinite(v)) values.push(v);
  }
  values.sort((a, b) => a - b);
  const q = (p: number): number => {
    if (values.length === 0) return NaN;
    const h = (values.length - 1) * p;
    const lo = Math.floor(h);
    return values[lo] + (h - lo) * (values[Math.ceil(h)] - values[lo]);
  };
  return { estimate: stat(Float64Array.from(x as ArrayLike<number>), Float64Array.from(y as ArrayLike<number>)), lo: q((1 - level) / 2), hi: q((1 + level) / 2), level, resamples, seed };
}


/** A percentile bootstrap confidence interval of a correlation coefficient. */
export interface CorrelationInterval {
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
  kendallTau: CorrelationInterval;
  spearmanRho: CorrelationInterval;
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
  const interval = (v: number[]): CorrelationInterval => {
    v.sort((a, b) => a - b);
    return { level, lo: quantile(v, (1 - level) / 2), hi: quantile(v, 1 - (1 - level) / 2), resamples, used: v.length, seed };
  };
  return { kendallTau: interval(taus), spearmanRho: interval(rhos) };
}
