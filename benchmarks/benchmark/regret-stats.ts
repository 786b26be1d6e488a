/** Summary statistics of a sample (regrets of one algorithm/budget/setting over seeds). */
export interface Spread {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1). */
  std: number;
  /** Standard error of the mean. */
  sem: number;
  median: number;
  q1: number;
  q3: number;
  iqr: number;
  min: number;
  max: number;
}

/** Quantile with linear interpolation between order statistics (type 7, the R / numpy default). */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function spread(xs: readonly number[]): Spread {
  const n = xs.length;
  const s = [...xs].sort((a, b) => a - b);
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  const q1 = quantile(s, 0.25);
  const q3 = quantile(s, 0.75);
  return { n, mean, std, sem: std / Math.sqrt(n), median: quantile(s, 0.5), q1, q3, iqr: q3 - q1, min: s[0], max: s[n - 1] };
}

/** Round for JSON output (regrets are differences of accuracies given to ~1e-5). */
export function r4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
