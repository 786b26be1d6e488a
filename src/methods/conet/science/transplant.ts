// Weights of the next trial (Alg. 2 line 15, "Instantiate model with new channels").
//
// The paper does not say what the new model's weights are. Its most literal reading is a fresh model: Sec. 4.3 "After
// the trial ends, we stop training", the next trial trains "the current model", and the rank slope S (Eq. 3) measures
// rank growth from t1, which Fig. 1(b) and Fig. 3 show starting at ~0 from a random initialisation. So 'restart'
// (a fresh seeded initialisation per trial) is the default. Option 'transplant' (ours, Net2Net-like but without
// function preservation on expand) copies the overlapping channels of every weight array of the last trial into the
// resized network: on shrink the first channels are kept (a slice), on expand the new channels keep the fresh
// initialisation of the new network. The same applies to BN parameters and running statistics (1-D per channel).
//
// Plain TypeScript: arrays in row-major order with their shapes; the training ring maps named tensors onto it.

/** What the network of the next trial starts from. */
export type TrialWeights = 'restart' | 'transplant';

export const TRIAL_WEIGHTS: readonly TrialWeights[] = ['restart', 'transplant'];

/** The paper's most literal reading (see above). */
export const TRIAL_WEIGHTS_DEFAULT: TrialWeights = 'restart';

/**
 * Copies the overlapping block of `from` (shape `fromShape`) into a copy of `into` (shape `intoShape`): every index
 * (i_1, ..., i_r) with i_k < min(fromShape[k], intoShape[k]) takes `from`'s value, every other index keeps `into`'s.
 * Both arrays are row-major and of equal rank. Returns the new array and the number of values copied.
 */
export function transplantArray(
  from: ArrayLike<number>,
  fromShape: readonly number[],
  into: ArrayLike<number>,
  intoShape: readonly number[],
): { values: Float32Array; copied: number } {
  const rank = fromShape.length;
  if (intoShape.length !== rank) throw new RangeError(`cannot transplant a rank-${rank} array into a rank-${intoShape.length} one`);
  const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
  if (from.length !== size(fromShape)) throw new RangeError(`source has ${from.length} values, shape [${fromShape.join(', ')}] needs ${size(fromShape)}`);
  if (into.length !== size(intoShape)) throw new RangeError(`target has ${into.length} values, shape [${intoShape.join(', ')}] needs ${size(intoShape)}`);
  const out = Float32Array.from(into);
  if (rank === 0) {
    out[0] = from[0];
    return { values: out, copied: 1 };
  }
  const overlap = fromShape.map((n, k) => Math.min(n, intoShape[k]));
  if (overlap.some((n) => n === 0)) return { values: out, copied: 0 };
  // row-major strides of both arrays
  const strides = (s: readonly number[]): number[] => {
    const st = new Array<number>(s.length).fill(1);
    for (let k = s.length - 2; k >= 0; k--) st[k] = st[k + 1] * s[k + 1];
    return st;
  };
  const fs = strides(fromShape);
  const is = strides(intoShape);
  const run = overlap[rank - 1];
  const idx = new Array<number>(rank - 1).fill(0);
  let copied = 0;
  for (;;) {
    let fo = 0;
    let io = 0;
    for (let k = 0; k < rank - 1; k++) {
      fo += idx[k] * fs[k];
      io += idx[k] * is[k];
    }
    for (let j = 0; j < run; j++) out[io + j] = from[fo + j];
    copied += run;
    // next index of the leading rank-1 axes, last fastest
    let k = rank - 2;
    while (k >= 0 && ++idx[k] === overlap[k]) idx[k--] = 0;
    if (k < 0) break;
  }
  return { values: out, copied };
}
