import { Rng } from '../../common/rng';

/** Stream tags: independent RNG streams for the epoch order and for the augmentation draws. */
export const SHUFFLE_STREAM = 0;
export const AUGMENT_STREAM = 1;

/**
 * A generator determined by (seed, ...keys) alone, so any epoch or batch can be recomputed without replaying the
 * ones before it. Each key (an unsigned 32-bit integer) is folded in as: draw two words from the current generator,
 * xor the key into the low one and reseed. For a fixed prefix, distinct keys give distinct seeds (splitmix32 is a
 * bijection), hence distinct streams.
 */
export function deriveRng(seed: number, ...keys: number[]): Rng {
  let rng = Rng.fromSeed(seed);
  for (const key of keys) {
    if (!Number.isInteger(key) || key < 0 || key > 0xffffffff) throw new RangeError(`rng key must be an unsigned 32-bit integer, got ${key}`);
    const hi = rng.nextU32() & 0x1fffff;
    const lo = (rng.nextU32() ^ key) >>> 0;
    rng = Rng.fromSeed(hi * 2 ** 32 + lo);
  }
  return rng;
}
