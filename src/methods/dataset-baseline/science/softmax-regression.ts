/**
 * Multinomial logistic regression (softmax classifier) on raw pixels, trained with mini-batch SGD with
 * momentum and L2 weight decay (the PyTorch SGD update: v <- mu*v + (g + wd*w); w <- w - lr*v).
 * Float64 throughout and a fixed summation order, so the same data, seed and schedule give bit-identical
 * weights, which is what makes resuming from a checkpoint exact. No Nest, no I/O.
 */
import type { ImageSplit } from '../../../datasets/formats';

/** Per-channel normalisation x' = (x/255 - mean_c) / std_c as a lookup table [channel * 256 + pixel]. */
export function channelNormalisation(split: ImageSplit, count: number): { mean: number[]; std: number[]; lut: Float64Array } {
  const C = split.channels;
  const D = split.height * split.width * C;
  const sum = new Float64Array(C);
  const sq = new Float64Array(C);
  for (let i = 0; i < count * D; i++) {
    const v = split.images[i];
    const c = i % C;
    sum[c] += v;
    sq[c] += v * v;
  }
  const n = count * (D / C);
  const mean: number[] = [];
  const std: number[] = [];
  const lut = new Float64Array(C * 256);
  for (let c = 0; c < C; c++) {
    const m = sum[c] / n / 255;
    const variance = Math.max(0, sq[c] / n / (255 * 255) - m * m);
    const s = Math.max(Math.sqrt(variance), 1e-6);
    mean.push(m);
    std.push(s);
    for (let p = 0; p < 256; p++) lut[c * 256 + p] = (p / 255 - m) / s;
  }
  return { mean, std, lut };
}

export interface SoftmaxModel {
  numClasses: number;
  dim: number;
  /** [numClasses * dim], row k = weights of class k */
  weights: Float64Array;
  bias: Float64Array;
  /** momentum buffers */
  vWeights: Float64Array;
  vBias: Float64Array;
}

export function createModel(numClasses: number, dim: number): SoftmaxModel {
  // Zero initialisation: the softmax cross-entropy objective is convex, so no symmetry breaking is needed.
  return {
    numClasses,
    dim,
    weights: new Float64Array(numClasses * dim),
    bias: new Float64Array(numClasses),
    vWeights: new Float64Array(numClasses * dim),
    vBias: new Float64Array(numClasses),
  };
}

export interface SgdParams {
  lr: number;
  momentum: number;
  weightDecay: number;
}

/** Scratch buffers for one batch size, reused across steps. */
export class SgdWorkspace {
  readonly x: Float64Array;
  readonly logits: Float64Array;
  readonly gradW: Float64Array;
  readonly gradB: Float64Array;
  constructor(readonly maxBatch: number, model: SoftmaxModel) {
    this.x = new Float64Array(maxBatch * model.dim);
    this.logits = new Float64Array(maxBatch * model.numClasses);
    this.gradW = new Float64Array(model.numClasses * model.dim);
    this.gradB = new Float64Array(model.numClasses);
  }
}

/** Writes the normalised pixels of `indices` into ws.x (row-major [batch, dim]). */
export function gatherBatch(split: ImageSplit, indices: ArrayLike<number>, lut: Float64Array, ws: SgdWorkspace): void {
  const C = split.channels;
  const D = split.height * split.width * C;
  for (let b = 0; b < indices.length; b++) {
    const src = indices[b] * D;
    const dst = b * D;
    for (let d = 0; d < D; d++) ws.x[dst + d] = lut[(d % C) * 256 + split.images[src + d]];
  }
}

/** logits[b, k] = bias_k + w_k . x_b */
function forward(model: SoftmaxModel, ws: SgdWorkspace, batch: number): void {
  const { dim: D, numClasses: K, weights: W, bias } = model;
  for (let b = 0; b < batch; b++) {
    const xo = b * D;
    for (let k = 0; k < K; k++) {
      const wo = k * D;
      let z = bias[k];
      for (let d = 0; d < D; d++) z += W[wo + d] * ws.x[xo + d];
      ws.logits[b * K + k] = z;
    }
  }
}

/**
 * One SGD step on the batch in ws.x with `labels`; returns the summed cross-entropy of the batch
 * (computed before the update). Cross-entropy with a log-sum-exp shift for numerical stability.
 */
export function sgdStep(model: SoftmaxModel, ws: SgdWorkspace, labels: ArrayLike<number>, p: SgdParams): number {
  const batch = labels.length;
  const { dim: D, numClasses: K, weights: W, bias, vWeights, vBias } = model;
  forward(model, ws, batch);
  let lossSum = 0;
  // logits -> dL/dz = (softmax - onehot) / batch, in place
  for (let b = 0; b < batch; b++) {
    const o = b * K;
    let max = -Infinity;
    for (let k = 0; k < K; k++) max = Math.max(max, ws.logits[o + k]);
    let denom = 0;
    for (let k = 0; k < K; k++) denom += Math.exp(ws.logits[o + k] - max);
    const y = labels[b];
    lossSum += Math.log(denom) - (ws.logits[o + y] - max);
    for (let k = 0; k < K; k++) ws.logits[o + k] = (Math.exp(ws.logits[o + k] - max) / denom - (k === y ? 1 : 0)) / batch;
  }
  ws.gradW.fill(0);
  ws.gradB.fill(0);
  for (let b = 0; b < batch; b++) {
    const xo = b * D;
    for (let k = 0; k < K; k++) {
      const g = ws.logits[b * K + k];
      ws.gradB[k] += g;
      const wo = k * D;
      for (let d = 0; d < D; d++) ws.gradW[wo + d] += g * ws.x[xo + d];
    }
  }
  const { lr, momentum: mu, weightDecay: wd } = p;
  for (let i = 0; i < W.length; i++) {
    vWeights[i] = mu * vWeights[i] + ws.gradW[i] + wd * W[i];
    W[i] -= lr * vWeights[i];
  }
  for (let k = 0; k < K; k++) {
    vBias[k] = mu * vBias[k] + ws.gradB[k]; // no weight decay on biases
    bias[k] -= lr * vBias[k];
  }
  return lossSum;
}

/** Top-1 accuracy and mean cross-entropy on a split. */
export function evaluate(model: SoftmaxModel, split: ImageSplit, lut: Float64Array, chunk = 256): { accuracy: number; loss: number } {
  const ws = new SgdWorkspace(chunk, model);
  const K = model.numClasses;
  let correct = 0;
  let loss = 0;
  const idx = new Uint32Array(chunk);
  for (let start = 0; start < split.count; start += chunk) {
    const n = Math.min(chunk, split.count - start);
    for (let i = 0; i < n; i++) idx[i] = start + i;
    gatherBatch(split, idx.subarray(0, n), lut, ws);
    forward(model, ws, n);
    for (let b = 0; b < n; b++) {
      const o = b * K;
      let best = 0;
      let max = -Infinity;
      for (let k = 0; k < K; k++) {
        if (ws.logits[o + k] > max) {
          max = ws.logits[o + k];
          best = k;
        }
      }
      let denom = 0;
      for (let k = 0; k < K; k++) denom += Math.exp(ws.logits[o + k] - max);
      const y = split.labels[start + b];
      loss += Math.log(denom) - (ws.logits[o + y] - max);
      if (best === y) correct++;
    }
  }
  return { accuracy: correct / split.count, loss: loss / split.count };
}
