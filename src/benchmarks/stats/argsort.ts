/**
 * Stable argsort of finite doubles by LSD radix sort on their IEEE-754 bit patterns (4 passes of 16 bits), O(n).
 * The bits are mapped to an unsigned order-preserving key (negative: flip all bits; positive: flip the sign bit);
 * -0 is treated as +0 so that equal values stay tied.
 */
const RADIX_BITS = 16;
const BUCKETS = 1 << RADIX_BITS;
const MASK = BUCKETS - 1;

/** Positions of `x` sorted by ascending value; ties keep the order of `initial` (default: by position). */
export function radixArgsort(x: ArrayLike<number>, initial?: Uint32Array): Uint32Array {
  const n = x.length;
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) f[i] = x[i] === 0 ? 0 : x[i];
  const words = new Uint32Array(f.buffer); // little-endian: [lo, hi] per double
  const lo = new Uint32Array(n);
  const hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const h = words[2 * i + 1];
    const l = words[2 * i];
    if (h & 0x80000000) {
      hi[i] = ~h >>> 0;
      lo[i] = ~l >>> 0;
    } else {
      hi[i] = (h | 0x80000000) >>> 0;
      lo[i] = l;
    }
  }
  let order: Uint32Array = initial ? Uint32Array.from(initial) : identity(n);
  let tmp: Uint32Array = new Uint32Array(n);
  const count = new Uint32Array(BUCKETS);
  for (let pass = 0; pass < 4; pass++) {
    const src = pass < 2 ? lo : hi;
    const shift = (pass & 1) * RADIX_BITS;
    count.fill(0);
    for (let i = 0; i < n; i++) count[(src[i] >>> shift) & MASK]++;
    // a pass where every key has the same digit changes nothing
    if (n > 0 && count[(src[0] >>> shift) & MASK] === n) continue;
    let sum = 0;
    for (let b = 0; b < BUCKETS; b++) {
      const c = count[b];
      count[b] = sum;
      sum += c;
    }
    for (let j = 0; j < n; j++) {
      const i = order[j];
      tmp[count[(src[i] >>> shift) & MASK]++] = i;
    }
    [order, tmp] = [tmp, order];
  }
  return order;
}

function identity(n: number): Uint32Array {
  const o = new Uint32Array(n);
  for (let i = 0; i < n; i++) o[i] = i;
  return o;
}

/** Tie groups of an ascending order: lo[i] = #values < x[i], hi[i] = #values <= x[i]. */
export function rankBoundsFromOrder(x: ArrayLike<number>, order: Uint32Array): { lo: Uint32Array; hi: Uint32Array } {
  const n = order.length;
  const lo = new Uint32Array(n);
  const hi = new Uint32Array(n);
  let start = 0;
  for (let j = 1; j <= n; j++) {
    if (j === n || x[order[j]] !== x[order[start]]) {
      for (let k = start; k < j; k++) {
        lo[order[k]] = start;
        hi[order[k]] = j;
      }
      start = j;
    }
  }
  return { lo, hi };
}

/** Descending order from a stable ascending one, ties still by the ascending order's tie order. */
export function descendingFromOrder(x: ArrayLike<number>, order: Uint32Array): Uint32Array {
  const n = order.length;
  const out = new Uint32Array(n);
  let w = 0;
  let end = n;
  while (end > 0) {
    let start = end - 1;
    while (start > 0 && x[order[start - 1]] === x[order[end - 1]]) start--;
    for (let k = start; k < end; k++) out[w++] = order[k];
    end = start;
  }
  return out;
}
