/**
 * Forward pass of the NAS-Bench-201 cell network (Dong & Yang 2020, Fig. 1), shared by the fixed network
 * (model.ts) and the weight-sharing supernet (src/trainer/supernet/nb201-supernet.ts): stem conv3x3 + BN; three
 * stages of N cells at C, 2C, 4C channels with ResNet reduction blocks between them; lastact BN + ReLU; global
 * average pool; linear. The two differ only in where an edge's conv/BN weights come from (`edgeWeights`).
 * Convolutions pad (k-1)/2 on every side, as PyTorch's Conv2d(padding=(k-1)//2) in NB201.
 */
import * as tf from '@tensorflow/tfjs-core';
import { NB201_EDGE_SOURCE } from '../../benchmarks/nb201/arch';
import { NB201_OPS, Nb201Op } from '../../benchmarks/nb201/types';
import { trainingBatchNorm } from '../engine/batch-norm';

export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;

/** Resolves a weight name (e.g. `stem.w`, `stem.bn.gamma`) to its variable. */
export type WeightLookup = (name: string) => tf.Variable;

/** How BatchNorm behaves in this pass. */
export interface BnMode {
  training: boolean;
  updateStats: boolean;
  /** Weight of the batch statistic in the running-statistic update (PyTorch momentum); 1/i gives a cumulative mean. */
  momentum: number;
}

/**
 * Logits for a NHWC batch. `edgeName(stage, cell, edge, op)` gives the weight prefix of a conv edge (its conv is
 * `<prefix>.w`, its BN `<prefix>.bn.*`). Running statistics are updated after the pass (PyTorch semantics:
 * running = (1 - m) running + m batch, with the unbiased batch variance).
 */
export function nb201Logits(
  x: tf.Tensor4D,
  ops: readonly number[],
  cellsPerStage: number,
  v: WeightLookup,
  edgeName: (stage: number, cell: number, edge: number, op: number) => string,
  mode: BnMode,
): tf.Tensor2D {
  const pending: Array<{ name: string; mean: tf.Tensor1D; variance: tf.Tensor1D; n: number }> = [];
  const batchNorm = (h: tf.Tensor4D, name: string): tf.Tensor4D => {
    const gamma = v(`${name}.gamma`) as tf.Tensor1D;
    const beta = v(`${name}.beta`) as tf.Tensor1D;
    if (!mode.training) return tf.batchNorm4d(h, v(`${name}.runMean`) as tf.Tensor1D, v(`${name}.runVar`) as tf.Tensor1D, beta, gamma, BN_EPS);
    const { y, mean, variance } = trainingBatchNorm(h, gamma, beta, BN_EPS);
    if (mode.updateStats) pending.push({ name, mean, variance, n: h.shape[0] * h.shape[1] * h.shape[2] });
    return y;
  };
  const conv = (h: tf.Tensor4D, name: string, stride: 1 | 2): tf.Tensor4D => {
    const w = v(`${name}.w`) as tf.Tensor4D;
    const p = (w.shape[0] - 1) >> 1;
    return tf.conv2d(h, w, stride, [[0, 0], [p, p], [p, p], [0, 0]]);
  };
  const reluConvBn = (h: tf.Tensor4D, name: string, stride: 1 | 2): tf.Tensor4D => batchNorm(conv(tf.relu(h), name, stride), `${name}.bn`);

  const cell = (input: tf.Tensor4D, stage: number, c: number): tf.Tensor4D => {
    const nodes: tf.Tensor4D[] = [input];
    let e = 0;
    for (let node = 1; node <= 3; node++) {
      const terms: tf.Tensor4D[] = [];
      for (let j = 0; j < node; j++, e++) {
        const src = nodes[NB201_EDGE_SOURCE[e]];
        const op: Nb201Op = NB201_OPS[ops[e]];
        if (op === 'none') continue;
        if (op === 'skip_connect') terms.push(src);
        else if (op === 'avg_pool_3x3') terms.push(tf.avgPool(src, 3, 1, 'same'));
        else terms.push(reluConvBn(src, edgeName(stage, c, e, ops[e]), 1));
      }
      nodes.push(terms.length === 0 ? tf.zerosLike(input) : terms.length === 1 ? terms[0] : (tf.addN(terms) as tf.Tensor4D));
    }
    return nodes[3];
  };

  let h = batchNorm(conv(x, 'stem', 1), 'stem.bn');
  for (let stage = 0; stage < 3; stage++) {
    if (stage > 0) {
      const main = reluConvBn(reluConvBn(h, `red${stage}.a`, 2), `red${stage}.b`, 1);
      const short = conv(tf.avgPool(h, 2, 2, 'valid'), `red${stage}.short`, 1);
      h = tf.add(main, short);
    }
    for (let c = 0; c < cellsPerStage; c++) h = cell(h, stage, c);
  }
  h = tf.relu(batchNorm(h, 'lastact.bn'));
  const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
  const logits = tf.add(tf.matMul(pooled, v('classifier.w') as tf.Tensor2D), v('classifier.b')) as tf.Tensor2D;
  for (const p of pending) updateRunning(v(`${p.name}.runMean`), v(`${p.name}.runVar`), p.mean, p.variance, p.n, mode.momentum);
  return logits;
}

/** running = (1 - m) * running + m * batch stat; the variance is the unbiased one (PyTorch BatchNorm2d). */
function updateRunning(rm: tf.Variable, rv: tf.Variable, mean: tf.Tensor1D, variance: tf.Tensor1D, n: number, m: number): void {
  const unbiased = n > 1 ? n / (n - 1) : 1;
  tf.tidy(() => {
    rm.assign(tf.add(tf.mul(rm, 1 - m), tf.mul(mean, m)));
    rv.assign(tf.add(tf.mul(rv, 1 - m), tf.mul(variance, m * unbiased)));
  });
}

/** Whether NB201 op index `op` has weights (the two ReLU-Conv-BN ops), and its kernel size (0 = no weights). */
export function opKernel(op: number): 0 | 1 | 3 {
  const name = NB201_OPS[op];
  return name === 'nor_conv_3x3' ? 3 : name === 'nor_conv_1x1' ? 1 : 0;
}
