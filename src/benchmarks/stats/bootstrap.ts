import { Rng } from '../../common/rng';
import type { Numbers } from './correlation';

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
