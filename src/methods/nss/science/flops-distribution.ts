/**
 * Exact FLOPs statistics of a network space (all its architectures, each counted once) by meet-in-the-middle over
 * the per-stage decomposition FLOPs = stem + T_1(d1, w0, w1) + T_2(d2, w1, w2) + T_3(d3, w2, w3) + FC(w3): for each
 * w2 the architecture splits into X = T_1 + T_2 (over d1, w1, d2) and Y = T_3 + FC (over d3, w3), and
 * #{F <= t} = sum_{w2} sum_x #{y <= t - stem - x}, counted with Y sorted. Nothing is sampled: min, max, mean,
 * counts in any interval and histograms are exact (the paper preset's whole space, 5.5e11 networks, takes seconds
 * per count; a paper-preset network space or anything of the small preset, milliseconds).
 */
import { fcFlops, stageFlops, stemFlops } from './cost';
import { ExpandedSearchSpace, IntRange, NetworkSpace, archCount } from './space';

/** Sorted X arrays are kept when all of them together hold at most this many values. */
const CACHE_LIMIT = 1 << 24;

export interface FlopsHistogram {
  /** bins + 1 edges from min to max; bin b is [edges[b], edges[b+1]) and the last bin includes max. */
  edges: number[];
  counts: number[];
}

export interface SpaceFlopsSummary {
  archs: number;
  min: number;
  max: number;
  mean: number;
}

const values = (r: IntRange): number[] => Array.from({ length: r[1] - r[0] + 1 }, (_, k) => r[0] + k);

/** Number of entries of sorted `a` that are <= t (binary search). */
function countAtMostSorted(a: Float64Array, t: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class SpaceFlops {
  readonly archs: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  private readonly stem: number;
  private readonly w2s: number[];
  private readonly ys: Float64Array[];
  private readonly xsCache: Float64Array[] | null;

  /** cacheLimit: keep the sorted X arrays when they hold at most this many values together (else recompute per count). */
  constructor(
    private readonly s: ExpandedSearchSpace,
    readonly space: NetworkSpace,
    cacheLimit = CACHE_LIMIT,
  ) {
    this.archs = archCount(space);
    this.stem = stemFlops(s);
    this.w2s = values(space.widths[1]);
    const xSize = (space.depths[0][1] - space.depths[0][0] + 1) * (space.widths[0][1] - space.widths[0][0] + 1) * (space.depths[1][1] - space.depths[1][0] + 1);
    this.ys = this.w2s.map((w2) => this.yValues(w2).sort());
    const cache = xSize * this.w2s.length <= cacheLimit;
    this.xsCache = cache ? this.w2s.map((w2) => this.xValues(w2).sort()) : null;
    let min = Infinity;
    let max = -Infinity;
    let meanSum = 0;
    this.w2s.forEach((w2, k) => {
      const x = this.xs(k);
      const y = this.ys[k];
      let xmin = Infinity;
      let xmax = -Infinity;
      let xsum = 0;
      for (const v of x) {
        if (v < xmin) xmin = v;
        if (v > xmax) xmax = v;
        xsum += v;
      }
      let ysum = 0;
      for (const v of y) ysum += v;
      min = Math.min(min, xmin + y[0]);
      max = Math.max(max, xmax + y[y.length - 1]);
      meanSum += xsum / x.length + ysum / y.length;
    });
    this.min = this.stem + min;
    this.max = this.stem + max;
    this.mean = this.stem + meanSum / this.w2s.length;
  }

  summary(): SpaceFlopsSummary {
    return { archs: this.archs, min: this.min, max: this.max, mean: this.mean };
  }

  /** X(d1, w1, d2 | w2) = T_1 + T_2 for every (d1, w1, d2), unsorted. */
  private xValues(w2: number): Float64Array {
    const { s, space } = this;
    const d1s = values(space.depths[0]);
    const w1s = values(space.widths[0]);
    const d2s = values(space.depths[1]);
    const out = new Float64Array(d1s.length * w1s.length * d2s.length);
    let n = 0;
    for (const w1 of w1s) {
      const t2 = d2s.map((d2) => stageFlops(s, 1, d2, w1, w2));
      for (const d1 of d1s) {
        const t1 = stageFlops(s, 0, d1, s.stemWidth, w1);
        for (const v of t2) out[n++] = t1 + v;
      }
    }
    return out;
  }

  /** Y(d3, w3 | w2) = T_3 + FC for every (d3, w3), unsorted. */
  private yValues(w2: number): Float64Array {
    const { s, space } = this;
    const d3s = values(space.depths[2]);
    const w3s = values(space.widths[2]);
    const out = new Float64Array(d3s.length * w3s.length);
    let n = 0;
    for (const w3 of w3s) for (const d3 of d3s) out[n++] = stageFlops(s, 2, d3, w2, w3) + fcFlops(s, w3);
    return out;
  }

  private xs(k: number): Float64Array {
    return this.xsCache ? this.xsCache[k] : this.xValues(this.w2s[k]);
  }

  /** Exact number of architectures with FLOPs <= t. */
  countAtMost(t: number): number {
    const rest = t - this.stem;
    let total = 0;
    for (let k = 0; k < this.w2s.length; k++) {
      const y = this.ys[k];
      const x = this.xs(k);
      if (this.xsCache) {
        // x and y sorted ascending: two pointers, O(|x| + |y|)
        let j = y.length;
        for (let i = 0; i < x.length; i++) {
          const lim = rest - x[i];
          while (j > 0 && y[j - 1] > lim) j--;
          if (j === 0) break;
          total += j;
        }
      } else {
        for (let i = 0; i < x.length; i++) total += countAtMostSorted(y, rest - x[i]);
      }
    }
    return total;
  }

  /** Exact number of architectures with lo <= FLOPs <= hi. */
  countBetween(lo: number, hi: number): number {
    if (hi < lo) return 0;
    // FLOPs are integers: F < lo  <=>  F <= ceil(lo) - 1
    return this.countAtMost(Math.floor(hi)) - this.countAtMost(Math.ceil(lo) - 1);
  }

  /** Exact fraction p of architectures with |FLOPs / target - 1| <= tolerance (the Table 1 criterion, +-10 %). */
  fractionWithin(target: number, tolerance = 0.1): number {
    return this.countBetween(target * (1 - tolerance), target * (1 + tolerance)) / this.archs;
  }

  /** Exact histogram over `bins` equal-width bins from min to max. */
  histogram(bins: number): FlopsHistogram {
    const edges = Array.from({ length: bins + 1 }, (_, b) => this.min + ((this.max - this.min) * b) / bins);
    const below = edges.map((e, b) => (b === bins ? this.archs : this.countAtMost(Math.ceil(e) - 1)));
    return { edges, counts: below.slice(1).map((c, b) => c - below[b]) };
  }
}
