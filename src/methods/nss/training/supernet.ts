/**
 * Weight-sharing supernet of the NSS Expanded Search Space (supplementary 6.3.1): one deepest stage of d_max blocks
 * at w_max channels per stage. A smaller width w is channel masking (the first w channels of every super kernel;
 * FBNetV2), a smaller depth d is the output of the d-th block of the stage. Block (He et al. 2016, supplementary
 * Fig. 8): conv3x3(stride) + BN + ReLU, conv3x3 + BN, plus the shortcut (identity, or 1x1 conv + BN where the
 * stride or the width changes), then ReLU.
 *
 * Two forward passes:
 * - `forward` (TrainableNetwork): the selected architecture only, with the weights sliced to its shapes (masked.ts)
 *   - the weight-training step;
 * - `relaxedLogits`: the FBNetV2-style relaxation used to differentiate the task loss in the one-hot choices y of
 *   a sampled space: per stage a width candidate w_k and a depth candidate d_k is drawn in every range k; the stage
 *   runs at max_k w_k channels with the channel mask sum_k yW[k] 1[c < w_k] after every ReLU and its output is
 *   sum_k yD[k] h_{d_k} (h_j: output of block j). At a hard one-hot y it equals `forward` of the chosen candidates.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../../common/rng';
import type { NamedVariable } from '../../../trainer/engine/network';
import { BN_MOMENTUM } from '../../../trainer/nb201/forward';
import { StoreNetwork, WeightStore } from '../../../trainer/nb201/weights';
import { BnMode, MaskedBatchNorm, WeightLookup, maskedConv2d } from '../../../trainer/supernet/masked';
import { crossEntropy } from '../../../trainer/engine/train-loop';
import { ExpandedSearchSpace, NSS_STAGES, NSS_STRIDES, NssArch, needsProjection, validateArch, validateSpace } from '../science/space';
import type { Theta } from '../science/theta';

/** Per stage and per range: the depth and width candidate drawn in that range (the relaxation's alternatives). */
export interface RangeCandidates {
  depth: number[][];
  width: number[][];
}

/** Relaxed one-hot weights per stage (depth ranges, width ranges) as tensors. */
export interface RelaxedWeights {
  depth: tf.Tensor1D[];
  width: tf.Tensor1D[];
}

const blockName = (i: number, j: number): string => `s${i + 1}.b${j + 1}`;

export class NssSupernet extends StoreNetwork {
  private arch: NssArch;
  private active: NamedVariable[] = [];
  private readonly byName: Map<string, NamedVariable>;

  constructor(
    readonly space: ExpandedSearchSpace,
    seed: number,
  ) {
    super(new WeightStore(Rng.fromSeed(seed), 'nss'));
    validateSpace(space);
    const { dMax, wMax, stemWidth } = space;
    this.store.convW('stem', 3, space.inputShape[2], stemWidth);
    this.store.bn('stem.bn', stemWidth);
    for (let i = 0; i < NSS_STAGES; i++) {
      for (let j = 0; j < dMax; j++) {
        const cin = j > 0 ? wMax : i === 0 ? stemWidth : wMax;
        const b = blockName(i, j);
        this.store.convW(`${b}.conv1`, 3, cin, wMax);
        this.store.bn(`${b}.conv1.bn`, wMax);
        this.store.convW(`${b}.conv2`, 3, wMax, wMax);
        this.store.bn(`${b}.conv2.bn`, wMax);
        if (j === 0) {
          this.store.convW(`${b}.proj`, 1, cin, wMax);
          this.store.bn(`${b}.proj.bn`, wMax);
        }
      }
    }
    this.store.linear('fc', wMax, space.numClasses);
    this.byName = new Map(this.store.params.map((p) => [p.name, p]));
    this.arch = { depths: [dMax, dMax, dMax], widths: [wMax, wMax, wMax] };
    this.set(this.arch);
  }

  get numClasses(): number {
    return this.space.numClasses;
  }

  /** Selects the architecture of `forward` and `activeParams`; throws RangeError on one outside the space. */
  set(arch: NssArch): void {
    validateArch(this.space, arch);
    this.arch = { depths: arch.depths.slice(), widths: arch.widths.slice() };
    const names = ['stem.w', 'stem.bn.gamma', 'stem.bn.beta'];
    let prev = this.space.stemWidth;
    for (let i = 0; i < NSS_STAGES; i++) {
      for (let j = 0; j < arch.depths[i]; j++) {
        const b = blockName(i, j);
        names.push(`${b}.conv1.w`, `${b}.conv1.bn.gamma`, `${b}.conv1.bn.beta`, `${b}.conv2.w`, `${b}.conv2.bn.gamma`, `${b}.conv2.bn.beta`);
        if (j === 0 && needsProjection(i, prev, arch.widths[i])) names.push(`${b}.proj.w`, `${b}.proj.bn.gamma`, `${b}.proj.bn.beta`);
      }
      prev = arch.widths[i];
    }
    names.push('fc.w', 'fc.b');
    this.active = names.map((n) => this.byName.get(n) as NamedVariable);
  }

  current(): NssArch {
    return { depths: this.arch.depths.slice(), widths: this.arch.widths.slice() };
  }

  override activeParams(): readonly NamedVariable[] {
    return this.active;
  }

  forward(x: tf.Tensor4D, training: boolean, updateStats = training, bnMomentum = BN_MOMENTUM): tf.Tensor2D {
    return archLogits(x, this.space, this.arch, (n) => this.store.get(n), { training, updateStats, momentum: bnMomentum });
  }

  /** Logits of the relaxation (see the file comment); BN uses batch statistics and updates nothing. */
  relaxedLogits(x: tf.Tensor4D, y: RelaxedWeights, cand: RangeCandidates): tf.Tensor2D {
    return relaxedLogits(x, this.space, y, cand, (n) => this.store.get(n));
  }
}

/** One basic residual block at the input's channels -> cout (weights sliced), stride on conv1 and projection. */
function block(x: tf.Tensor4D, name: string, cout: number, stride: number, project: boolean, v: WeightLookup, bn: MaskedBatchNorm): { out: tf.Tensor4D; a: tf.Tensor4D } {
  const a = tf.relu(bn.apply(maskedConv2d(x, v(`${name}.conv1.w`) as tf.Tensor4D, cout, stride), `${name}.conv1.bn`));
  const b = bn.apply(maskedConv2d(a, v(`${name}.conv2.w`) as tf.Tensor4D, cout, 1), `${name}.conv2.bn`);
  const short = project ? bn.apply(maskedConv2d(x, v(`${name}.proj.w`) as tf.Tensor4D, cout, stride), `${name}.proj.bn`) : x;
  return { out: tf.relu(tf.add(b, short)) as tf.Tensor4D, a };
}

function head(h: tf.Tensor4D, v: WeightLookup): tf.Tensor2D {
  const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
  const w = tf.slice(v('fc.w'), [0, 0], [h.shape[3], -1]) as tf.Tensor2D;
  return tf.add(tf.matMul(pooled, w), v('fc.b')) as tf.Tensor2D;
}

function stem(x: tf.Tensor4D, s: ExpandedSearchSpace, v: WeightLookup, bn: MaskedBatchNorm): tf.Tensor4D {
  return tf.relu(bn.apply(maskedConv2d(x, v('stem.w') as tf.Tensor4D, s.stemWidth, 1), 'stem.bn'));
}

/** Logits of one architecture (weights sliced to its shapes); running statistics are updated after the pass. */
export function archLogits(x: tf.Tensor4D, s: ExpandedSearchSpace, arch: NssArch, v: WeightLookup, mode: BnMode): tf.Tensor2D {
  const bn = new MaskedBatchNorm(v, mode);
  let h = stem(x, s, v, bn);
  for (let i = 0; i < NSS_STAGES; i++) {
    for (let j = 0; j < arch.depths[i]; j++) {
      const cin = h.shape[3];
      h = block(h, blockName(i, j), arch.widths[i], j === 0 ? NSS_STRIDES[i] : 1, j === 0 && needsProjection(i, cin, arch.widths[i]), v, bn).out;
    }
  }
  const logits = head(h, v);
  bn.flush();
  return logits;
}

/** The 0/1 channel masks of the width candidates, [ranges, channels]. */
function maskMatrix(widths: readonly number[], channels: number): tf.Tensor2D {
  const m = new Float32Array(widths.length * channels);
  widths.forEach((w, k) => m.fill(1, k * channels, k * channels + w));
  return tf.tensor2d(m, [widths.length, channels]);
}

/** The FBNetV2-style relaxation of the sampled space (see the file comment). */
export function relaxedLogits(x: tf.Tensor4D, s: ExpandedSearchSpace, y: RelaxedWeights, cand: RangeCandidates, v: WeightLookup): tf.Tensor2D {
  const bn = new MaskedBatchNorm(v, { training: true, updateStats: false, momentum: 0 });
  let h = stem(x, s, v, bn);
  let prevCands = [s.stemWidth];
  let prevY: tf.Tensor1D = tf.ones([1]);
  for (let i = 0; i < NSS_STAGES; i++) {
    const widths = cand.width[i];
    const depths = cand.depth[i];
    const cmax = Math.max(...widths);
    // mask[c] = sum_k yW[k] 1[c < w_k], broadcast over N, H, W
    const mask = tf.reshape(tf.matMul(tf.reshape(y.width[i], [1, widths.length]), maskMatrix(widths, cmax)), [1, 1, 1, cmax]);
    const outs: tf.Tensor4D[] = [];
    for (let j = 0; j < Math.max(...depths); j++) {
      const name = blockName(i, j);
      const stride = j === 0 ? NSS_STRIDES[i] : 1;
      const a = tf.mul(tf.relu(bn.apply(maskedConv2d(h, v(`${name}.conv1.w`) as tf.Tensor4D, cmax, stride), `${name}.conv1.bn`)), mask) as tf.Tensor4D;
      const b = bn.apply(maskedConv2d(a, v(`${name}.conv2.w`) as tf.Tensor4D, cmax, 1), `${name}.conv2.bn`);
      let short: tf.Tensor4D;
      if (j > 0) short = h;
      else {
        const proj = bn.apply(maskedConv2d(h, v(`${name}.proj.w`) as tf.Tensor4D, cmax, stride), `${name}.proj.bn`);
        // identity where neither stride nor width changes: weight of those (prev candidate, this candidate) pairs
        const idWeight: tf.Scalar[] = [];
        prevCands.forEach((wp, kp) =>
          widths.forEach((w, k) => {
            if (!needsProjection(i, wp, w)) idWeight.push(tf.reshape(tf.mul(tf.slice(prevY, [kp], [1]), tf.slice(y.width[i], [k], [1])), []) as tf.Scalar);
          }),
        );
        if (idWeight.length === 0) short = proj;
        else {
          const wId = tf.addN(idWeight);
          const padded = h.shape[3] < cmax ? tf.pad(h, [[0, 0], [0, 0], [0, 0], [0, cmax - h.shape[3]]]) : (tf.slice(h, [0, 0, 0, 0], [-1, -1, -1, cmax]) as tf.Tensor4D);
          short = tf.add(tf.mul(proj, tf.sub(1, wId)), tf.mul(padded, wId)) as tf.Tensor4D;
        }
      }
      h = tf.mul(tf.relu(tf.add(b, short)), mask) as tf.Tensor4D;
      outs.push(h);
    }
    // stage output = sum_k yD[k] h_{d_k}
    h = tf.addN(depths.map((d, k) => tf.mul(outs[d - 1], tf.reshape(tf.slice(y.depth[i], [k], [1]), [1, 1, 1, 1])) as tf.Tensor4D)) as tf.Tensor4D;
    prevCands = widths;
    prevY = y.width[i];
  }
  return head(h, v);
}

/** Checks that candidates lie in their ranges: depth[i][k] in range k, width[i][k] in range k. */
export function validateCandidates(s: ExpandedSearchSpace, c: RangeCandidates): void {
  for (let i = 0; i < NSS_STAGES; i++) {
    c.depth[i].forEach((d, k) => {
      if (!(d >= k * s.depthsPerSpace + 1 && d <= (k + 1) * s.depthsPerSpace)) throw new RangeError(`depth candidate ${d} of stage ${i + 1} is outside range ${k}`);
    });
    c.width[i].forEach((w, k) => {
      if (!(w >= k * s.widthsPerSpace + 1 && w <= (k + 1) * s.widthsPerSpace)) throw new RangeError(`width candidate ${w} of stage ${i + 1} is outside range ${k}`);
    });
  }
}

/**
 * Mean cross-entropy of the relaxation on a batch at weights y (one-hot or relaxed, shaped like Theta) and its
 * gradient dL_task/dy (autograd through the masks and the depth mixture).
 */
export function relaxedTaskGradient(
  net: NssSupernet,
  batch: { x: Float32Array; y: Int32Array; shape: [number, number, number, number] },
  y: Theta,
  cand: RangeCandidates,
): { loss: number; dy: Theta } {
  const flat = [...y.depth, ...y.width].map((r) => tf.tensor1d(r));
  try {
    const out = tf.tidy(() => {
      const x = tf.tensor4d(batch.x, batch.shape);
      const onehot = tf.oneHot(tf.tensor1d(batch.y, 'int32'), net.numClasses);
      const f = (...ys: tf.Tensor[]): tf.Scalar =>
        crossEntropy(onehot, net.relaxedLogits(x, { depth: ys.slice(0, NSS_STAGES) as tf.Tensor1D[], width: ys.slice(NSS_STAGES) as tf.Tensor1D[] }, cand), 0);
      const { value, grads } = tf.valueAndGrads(f)(flat);
      return { loss: value.dataSync()[0], g: grads.map((t) => Array.from(t.dataSync())) };
    });
    return { loss: out.loss, dy: { depth: out.g.slice(0, NSS_STAGES), width: out.g.slice(NSS_STAGES) } };
  } finally {
    tf.dispose(flat);
  }
}
