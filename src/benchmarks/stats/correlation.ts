import { descendingFromOrder, radixArgsort, rankBoundsFromOrder } from './argsort';

/**
 * Rank correlations for comparing a method's scores with ground truth. Plain functions over number arrays; NaN
 * where a coefficient is undefined (fewer than 2 points, or one side constant).
 */

export type Numbers = ArrayLike<number>;

function checkPaired(x: Numbers, y: Numbers): number {
  if (x.length !== y.length) throw new RangeError(`x and y must have the same length (${x.length} vs ${y.length})`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) throw new RangeError(`non-finite value at position ${i}`);
  }
  return x.length;
}

/** Positions sorted by ascending x, ties by position (stable radix sort). */
export function argsortAsc(x: Numbers): Uint32Array {
  return radixArgsort(x);
}

/** Positions sorted by descending x, ties by position. */
export function argsortDesc(x: Numbers): Uint32Array {
  return descendingFromOrder(x, radixArgsort(x));
}

/** Number of pairs within runs of equal values of a sorted sequence: sum t(t-1)/2. */
function tiedPairs(sorted: Numbers, order?: Uint32Array): number {
  let ties = 0;
  let run = 1;
  const at = (i: number): number => (order ? sorted[order[i]] : sorted[i]);
  for (let i = 1; i <= sorted.length; i++) {
    if (i < sorted.length && at(i) === at(i - 1)) run++;
    else {
      ties += (run * (run - 1)) / 2;
      run = 1;
    }
  }
  return ties;
}

/** Sort a Float64Array in place (stable bottom-up merge sort), returning the number of swaps (inversions). */
function mergeSortCountingSwaps(a: Float64Array): number {
  const n = a.length;
  let src: Float64Array = a;
  let dst: Float64Array = new Float64Array(n);
  let swaps = 0;
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        if (src[j] < src[i]) {
          dst[k++] = src[j++];
          swaps += mid - i;
        } else dst[k++] = src[i++];
      }
      while (i < mid) dst[k++] = src[i++];
      while (j < hi) dst[k++] = src[j++];
    }
    [src, dst] = [dst, src];
  }
  if (src !== a) a.set(src);
  return swaps;
}

/**
 * Kendall's tau-b with ties, O(n log n) (Knight 1966): tau_b = (n0 - n1 - n2 + n3 - 2*swaps) / sqrt((n0-n1)(n0-n2)),
 * n0 = n(n-1)/2, n1/n2 = pairs tied in x/y, n3 = pairs tied in both, swaps = discordant pairs counted by merge sort.
 */
export function kendallTauB(x: Numbers, y: Numbers): number {
  checkPaired(x, y);
  return kendallFromOrder(x, y, radixArgsort(y));
}

/** tau-b given the ascending order of y (shared with the other coefficients in `correlate`). */
function kendallFromOrder(x: Numbers, y: Numbers, orderY: Uint32Array): number {
  const n = x.length;
  if (n < 2) return NaN;
  // order by (x, y): stable sort by x of the positions already ordered by y
  const order = radixArgsort(x, orderY);
  const n0 = (n * (n - 1)) / 2;
  const n1 = tiedPairs(x, order);
  // pairs tied in both x and y
  let n3 = 0;
  let run = 1;
  for (let i = 1; i <= n; i++) {
    if (i < n && x[order[i]] === x[order[i - 1]] && y[order[i]] === y[order[i - 1]]) run++;
    else {
      n3 += (run * (run - 1)) / 2;
      run = 1;
    }
  }
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) ys[i] = y[order[i]];
  const swaps = mergeSortCountingSwaps(ys);
  const n2 = tiedPairs(ys);
  const denom = Math.sqrt((n0 - n1) * (n0 - n2));
  return denom === 0 ? NaN : (n0 - n1 - n2 + n3 - 2 * swaps) / denom;
}

/** O(n^2) tau-b straight from the definition (reference for tests; use kendallTauB otherwise). */
export function kendallTauBNaive(x: Numbers, y: Numbers): number {
  const n = checkPaired(x, y);
  let concordant = 0;
  let discordant = 0;
  let tx = 0;
  let ty = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = Math.sign(x[i] - x[j]);
      const dy = Math.sign(y[i] - y[j]);
      if (dx === 0 && dy === 0) continue;
      if (dx === 0) tx++;
      else if (dy === 0) ty++;
      else if (dx === dy) concordant++;
      else discordant++;
    }
  }
  const denom = Math.sqrt((concordant + discordant + tx) * (concordant + discordant + ty));
  return denom === 0 ? NaN : (concordant - discordant) / denom;
}

/** Ranks 1..n, tied values get the average of their ranks. */
export function averageRanks(x: Numbers, ascending: Uint32Array = radixArgsort(x)): Float64Array {
  const { lo, hi } = rankBoundsFromOrder(x, ascending);
  const ranks = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) ranks[i] = (lo[i] + 1 + hi[i]) / 2; // mean of ranks lo+1..hi
  return ranks;
}

/** Pearson's product-moment correlation r. */
export function pearsonR(x: Numbers, y: Numbers): number {
  const n = checkPaired(x, y);
  if (n < 2) return NaN;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx;
    const dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const denom = Math.sqrt(sxx * syy);
  return denom === 0 ? NaN : sxy / denom;
}

/** Spearman's rho: Pearson r of the average ranks (exact with ties). */
export function spearmanRho(x: Numbers, y: Numbers): number {
  checkPaired(x, y);
  return pearsonR(averageRanks(x), averageRanks(y));
}

/** Positions of the k largest values (ties broken by lower position first). */
export function topKPositions(x: Numbers, k: number): Uint32Array {
  return argsortDesc(x).slice(0, Math.min(k, x.length));
}

/** Fraction of the top-k by score that are also in the top-k by ground truth (precision@k). */
export function topKPrecision(scores: Numbers, truth: Numbers, k: number): number {
  checkPaired(scores, truth);
  return topKFromOrders(argsortDesc(scores), argsortDesc(truth), k);
}

function topKFromOrders(byScore: Uint32Array, byTruth: Uint32Array, k: number): number {
  const n = byScore.length;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`k must be an integer in 1..${n}, got ${k}`);
  const best = new Uint8Array(n);
  for (let j = 0; j < k; j++) best[byTruth[j]] = 1;
  let hits = 0;
  for (let j = 0; j < k; j++) hits += best[byScore[j]];
  return hits / k;
}

export interface CorrelationSummary {
  n: number;
  kendallTau: number;
  spearmanRho: number;
  pearsonR: number;
  topK: Array<{ k: number; precision: number }>;
}

/** All coefficients of `scores` against `truth` at once (each array is sorted once). */
export function correlate(scores: Numbers, truth: Numbers, ks: readonly number[] = []): CorrelationSummary {
  const n = checkPaired(scores, truth);
  const orderS = radixArgsort(scores);
  const orderT = radixArgsort(truth);
  const byScore = descendingFromOrder(scores, orderS);
  const byTruth = descendingFromOrder(truth, orderT);
  return {
    n,
    kendallTau: kendallFromOrder(scores, truth, orderT),
    spearmanRho: pearsonR(averageRanks(scores, orderS), averageRanks(truth, orderT)),
    pearsonR: pearsonR(scores, truth),
    topK: ks.map((k) => ({ k, precision: topKFromOrders(byScore, byTruth, k) })),
  };
}
