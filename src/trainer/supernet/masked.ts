/**
 * Weight-sharing primitives for elastic MBConv spaces, in TensorFlow.js functional ops:
 * - channel masking (FBNetV2, Wan et al. 2020, Sec. 3.1; NSS / "slimmable" weight sharing): a layer whose weight has
 *   the maximal channel counts uses only its first `cin` input and first `cout` output channels, i.e. the slice
 *   W[:, :, :cin, :cout] (the "first channels" ordering that OFA's progressive shrinking also uses);
 * - elastic kernel (OFA, Cai et al. 2020, Sec. 3.2): a k x k depthwise kernel is the centre k x k crop of the maximal
 *   kernel. We crop directly (as BigNAS, Yu et al. 2020); OFA's optional kernel transformation matrices are NOT used;
 * - masked BatchNorm: BN over the first `c` channels with the first `c` entries of gamma, beta and the running
 *   statistics; a running-statistic update writes back only that slice and leaves the rest unchanged.
 * Convolutions pad (k-1)/2 on every side, as PyTorch's Conv2d(padding=k//2).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BnMode, WeightLookup } from '../nb201/forward';
import { BN_EPS } from '../nb201/forward';
import { trainingBatchNorm } from '../engine/batch-norm';

export type { BnMode, WeightLookup } from '../nb201/forward';

/**
 * The slice of a conv weight [K, K, Cin, Cout] that a sub-network uses: the centre k x k crop (elastic kernel) of
 * its first `cin` input and first `cout` output channels (channel masking). The full weight is returned unsliced.
 */
export function sliceConvWeight(w: tf.Tensor4D, k: number, cin: number, cout: number): tf.Tensor4D {
  const [K, K2, Cin, Cout] = w.shape;
  if (K !== K2 || k > K || (K - k) % 2 !== 0 || cin > Cin || cout > Cout || k < 1 || cin < 1 || cout < 1) {
    throw new RangeError(`cannot slice a [${w.shape.join(', ')}] weight to [${k}, ${k}, ${cin}, ${cout}]`);
  }
  if (k === K && cin === Cin && cout === Cout) return w;
  const off = (K - k) / 2;
  return tf.slice(w, [off, off, 0, 0], [k, k, cin, cout]);
}

/** The first `c` entries of a per-channel vector (gamma, beta, running statistics). */
export function sliceChannels(v: tf.Tensor, c: number): tf.Tensor1D {
  if (c < 1 || c > v.shape[0]) throw new RangeError(`cannot slice ${v.shape[0]} channels to ${c}`);
  return (c === v.shape[0] ? v : tf.slice(v, [0], [c])) as tf.Tensor1D;
}

function explicitPad(k: number): [[number, number], [number, number], [number, number], [number, number]] {
  const p = (k - 1) >> 1;
  return [[0, 0], [p, p], [p, p], [0, 0]];
}

/** Channel-masked (and kernel-cropped) dense conv: input channels are x's, outputs the first `cout` of `w`. */
export function maskedConv2d(x: tf.Tensor4D, w: tf.Tensor4D, cout: number, stride: number, k: number = w.shape[0]): tf.Tensor4D {
  return tf.conv2d(x, sliceConvWeight(w, k, x.shape[3], cout), stride, explicitPad(k));
}

/** Elastic-kernel depthwise conv over x's channels: `w` is [K, K, Cmax, 1], the centre k x k crop is used. */
export function elasticDepthwise(x: tf.Tensor4D, w: tf.Tensor4D, k: number, stride: number): tf.Tensor4D {
  return tf.depthwiseConv2d(x, sliceConvWeight(w, k, x.shape[3], 1), stride, explicitPad(k));
}

interface PendingUpdate {
  name: string;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  n: number;
}

/**
 * BatchNorm over the first C channels of the input (C = x.shape[3]) with the named weights `<name>.gamma`, `.beta`,
 * `.runMean`, `.runVar`. Same semantics as src/trainer/nb201/forward.ts: batch statistics in training, running
 * statistics in eval; running-statistic updates are queued and applied by `flush()` after the pass.
 */
export class MaskedBatchNorm {
  private readonly pending: PendingUpdate[] = [];

  constructor(
    private readonly v: WeightLookup,
    private readonly mode: BnMode,
  ) {}

  apply(x: tf.Tensor4D, name: string): tf.Tensor4D {
    const c = x.shape[3];
    const gamma = sliceChannels(this.v(`${name}.gamma`), c);
    const beta = sliceChannels(this.v(`${name}.beta`), c);
    if (!this.mode.training) {
      return tf.batchNorm4d(x, sliceChannels(this.v(`${name}.runMean`), c), sliceChannels(this.v(`${name}.runVar`), c), beta, gamma, BN_EPS);
    }
    const { y, mean, variance } = trainingBatchNorm(x, gamma, beta, BN_EPS);
    if (this.mode.updateStats) this.pending.push({ name, mean, variance, n: x.shape[0] * x.shape[1] * x.shape[2] });
    return y;
  }

  /** Applies the queued running-statistic updates (each to its active slice only). */
  flush(): void {
    for (const p of this.pending.splice(0)) {
      const unbiased = p.n > 1 ? p.n / (p.n - 1) : 1;
      updateRunningSlice(this.v(`${p.name}.runMean`), p.mean, this.mode.momentum, 1);
      updateRunningSlice(this.v(`${p.name}.runVar`), p.variance, this.mode.momentum, unbiased);
    }
  }
}

/**
 * running[:c] = (1 - m) running[:c] + m * scale * batch (PyTorch BatchNorm2d; scale = n/(n-1) turns the variance
 * unbiased); running[c:] is left unchanged.
 */
export function updateRunningSlice(running: tf.Variable, batch: tf.Tensor1D, m: number, scale: number): void {
  const c = batch.shape[0];
  const total = running.shape[0] as number;
  tf.tidy(() => {
    const head = tf.add(tf.mul(sliceChannels(running, c), 1 - m), tf.mul(batch, m * scale));
    running.assign(c === total ? head : tf.concat([head, tf.slice(running, [c], [total - c])]));
  });
}
