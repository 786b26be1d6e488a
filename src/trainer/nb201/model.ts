/**
 * NAS-Bench-201 cell network (Dong & Yang 2020, Fig. 1) for one fixed cell, in TensorFlow.js functional ops,
 * mirroring src/benchmarks/nb201/network.ts (the cost counter's definition); the forward pass is forward.ts.
 * Cell ops: none (zero), skip_connect, nor_conv_1x1 / nor_conv_3x3 (ReLU-Conv-BN), avg_pool_3x3 (stride 1,
 * padding excluded from the average, like PyTorch's count_include_pad=False). BatchNorm uses batch statistics in
 * training and running statistics (momentum 0.1, unbiased running variance, as PyTorch) in evaluation.
 * Initialisation is PyTorch's default, drawn from a seeded Rng, so a seed fixes the network bit for bit.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { NB201_OPS } from '../../benchmarks/nb201/types';
import { Rng } from '../../common/rng';
import { BN_MOMENTUM, nb201Logits, opKernel } from './forward';
import { StoreNetwork, WeightStore, createNb201Weights } from './weights';

export { BN_EPS, BN_MOMENTUM } from './forward';
export type { NamedVariable } from '../engine/network';

export interface Nb201NetConfig {
  /** Op index (into NB201_OPS) of each edge e0..e5. */
  ops: readonly number[];
  /** Channels of the first stage (NB201: 16). */
  channels: number;
  /** Cells per stage (NB201: 5). */
  cellsPerStage: number;
  /** [height, width, channels] of the input images. */
  inputShape: [number, number, number];
  numClasses: number;
  seed: number;
}

function checkConfig(config: Nb201NetConfig): Nb201NetConfig {
  if (config.ops.length !== 6 || config.ops.some((o) => !Number.isInteger(o) || o < 0 || o >= NB201_OPS.length)) {
    throw new RangeError('ops must be six NB201 op indices');
  }
  return config;
}

/** Name prefix of edge `edge`'s conv/BN weights in cell `cell` of stage `stage`. */
export const fixedEdgeName = (stage: number, cell: number, edge: number): string => `s${stage}.c${cell}.e${edge}`;

export class Nb201Network extends StoreNetwork {
  readonly config: Nb201NetConfig;

  constructor(config: Nb201NetConfig) {
    super(new WeightStore(Rng.fromSeed(checkConfig(config).seed), 'nb201'));
    this.config = config;
    createNb201Weights(this.store, { ...config, inputChannels: config.inputShape[2] }, (stage, cell, c) => {
      for (let e = 0; e < 6; e++) {
        const k = opKernel(config.ops[e]);
        if (k === 0) continue;
        this.store.convW(fixedEdgeName(stage, cell, e), k, c, c);
        this.store.bn(`${fixedEdgeName(stage, cell, e)}.bn`, c);
      }
    });
  }

  get numClasses(): number {
    return this.config.numClasses;
  }

  forward(x: tf.Tensor4D, training: boolean, updateStats = training, bnMomentum = BN_MOMENTUM): tf.Tensor2D {
    return nb201Logits(x, this.config.ops, this.config.cellsPerStage, (n) => this.store.get(n), (s, c, e) => fixedEdgeName(s, c, e), {
      training,
      updateStats,
      momentum: bnMomentum,
    });
  }
}
