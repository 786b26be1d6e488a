/**
 * Small seedable PRNG with a serialisable state: xoshiro128** (Blackman & Vigna 2018), 32-bit words, period 2^128 - 1.
 * Seeded through splitmix32 so that nearby seeds give unrelated streams. Pure TypeScript, no Nest, runs anywhere.
 */

/** The four 32-bit state words as unsigned integers (JSON-serialisable). */
export type RngState = [number, number, number, number];

/** splitmix32 step: a well-mixed 32-bit value from a 32-bit counter (used only for seeding). */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  private constructor(state: RngState) {
    [this.s0, this.s1, this.s2, this.s3] = state;
  }

  /** Generator for an integer seed (any safe integer; the low and high 32 bits both matter). */
  static fromSeed(seed: number): Rng {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 2 ** 32) >>> 0;
    let c = splitmix32(lo ^ splitmix32(hi));
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      c = splitmix32(c + i);
      words.push(c);
    }
    if ((words[0] | words[1] | words[2] | words[3]) === 0) words[0] = 1; // the all-zero state is a fixed point
    return new Rng(words as RngState);
  }

  /** Generator continuing exactly from a state returned by state(). */
  static fromState(state: RngState): Rng {
    if (!Array.isArray(state) || state.length !== 4 || !state.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
      throw new RangeError('rng state must be four unsigned 32-bit integers');
    }
    if (state.every((w) => w === 0)) throw new RangeError('rng state must not be all zero');
    return new Rng([state[0], state[1], state[2], state[3]]);
  }

  /** Copy of the current state (unsigned 32-bit words). */
  state(): RngState {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /** Next unsigned 32-bit integer (xoshiro128**). */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /** Uniform float in [0, 1) with 32 random bits. */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n), unbiased (rejection of the incomplete last block). n in 1..2^32. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) throw new RangeError(`int(n) needs an integer n in 1..2^32, got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextU32();
    while (x >= limit) x = this.nextU32();
    return x % n;
  }

  /** Fisher-Yates shuffle in place (arrays and typed arrays); returns the same array. */
  shuffle<A extends { length: number; [i: number]: unknown }>(a: A): A {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /**
   * k distinct integers of 0..n-1, uniformly over k-subsets (Floyd's algorithm: O(k) draws, no O(n) array), in
   * insertion order (not a random permutation).
   */
  sampleIndices(n: number, k: number): number[] {
    if (!Number.isInteger(k) || !Number.isInteger(n) || k > n || k < 0) throw new RangeError(`cannot sample ${k} of ${n}`);
    const out: number[] = [];
    const seen = k > 16 ? new Set<number>() : null;
    for (let j = n - k; j < n; j++) {
      const t = this.int(j + 1);
      const has = seen ? seen.has(t) : out.includes(t);
      const pick = has ? j : t;
      out.push(pick);
      seen?.add(pick);
    }
    return out;
  }
}
