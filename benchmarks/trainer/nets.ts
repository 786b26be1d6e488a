/**
 * The three networks of the trainer-vs-PyTorch benchmark, as this service trains them (TrainableNetwork + Sgd), and
 * the plain description benchmarks/trainer/torch_side.py builds the same networks from:
 *   conv7  : 6 x conv3x3(C=16, no bias)-BN-ReLU, strides 1,1,2,1,2,1; global average pool; linear 10;
 *   nb201  : the NAS-Bench-201 cell network of one fixed cell (src/trainer/nb201), C=16, N=5;
 *   mbconv : the elastic MBConv supernet (src/trainer/supernet), a seeded random sub-network per step.
 * Inputs 32x32x3, 10 classes, random data (speed only).
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseArchStr } from '../../src/benchmarks/nb201/arch';
import { Rng } from '../../src/common/rng';
import type { MbconvConfig, MbconvSpace } from '../../src/search/spaces/mbconv';
import type { TrainableNetwork } from '../../src/trainer/engine/network';
import { BN_EPS } from '../../src/trainer/nb201/forward';
import { Nb201Network } from '../../src/trainer/nb201/model';
import { StoreNetwork, WeightStore } from '../../src/trainer/nb201/weights';
import { blockPlans, BlockPlan } from '../../src/trainer/supernet/mbconv-weights';
import { MbconvSupernet } from '../../src/trainer/supernet/mbconv-supernet';
import { trainingBatchNorm } from '../../src/trainer/engine/batch-norm';

export type NetName = 'conv7' | 'nb201' | 'mbconv';
export const NET_NAMES: readonly NetName[] = ['conv7', 'nb201', 'mbconv'];

export const CONV7_STRIDES = [1, 1, 2, 1, 2, 1];
export const NB201_ARCH = '|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|';

/** A small elastic MBConv space on 32x32 inputs (OFA-style: elastic depth, width, expand ratio, kernel). */
export const MBCONV_SPACE: MbconvSpace = {
  inputShape: [32, 32, 3],
  numClasses: 10,
  stemWidth: 16,
  stemStride: 1,
  stages: [
    { depths: [1, 2], widths: [16, 24], expandRatios: [3, 6], kernels: [3, 5], stride: 1 },
    { depths: [1, 2], widths: [24, 32], expandRatios: [3, 6], kernels: [3, 5], stride: 2 },
    { depths: [2, 3], widths: [48, 64], expandRatios: [3, 6], kernels: [3, 5], stride: 2 },
  ],
  headWidth: 128,
  activation: 'relu6',
};

/** The 7-layer conv net, BN with batch statistics as the service's networks do (running statistics not kept). */
export class Conv7Network extends StoreNetwork {
  constructor(seed: number, readonly channels = 16) {
    super(new WeightStore(Rng.fromSeed(seed), 'conv7'));
    let cin = 3;
    CONV7_STRIDES.forEach((_, i) => {
      this.store.convW(`l${i}`, 3, cin, channels);
      this.store.bn(`l${i}.bn`, channels);
      cin = channels;
    });
    this.store.linear('classifier', channels, 10);
  }

  get numClasses(): number {
    return 10;
  }

  forward(x: tf.Tensor4D): tf.Tensor2D {
    let h = x;
    CONV7_STRIDES.forEach((s, i) => {
      const w = this.store.get(`l${i}.w`) as tf.Tensor4D;
      const c = tf.conv2d(h, w, s, [[0, 0], [1, 1], [1, 1], [0, 0]]);
      const gamma = this.store.get(`l${i}.bn.gamma`) as tf.Tensor1D;
      const beta = this.store.get(`l${i}.bn.beta`) as tf.Tensor1D;
      h = tf.relu(trainingBatchNorm(c, gamma, beta, BN_EPS).y);
    });
    const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
    return tf.add(tf.matMul(pooled, this.store.get('classifier.w') as tf.Tensor2D), this.store.get('classifier.b')) as tf.Tensor2D;
  }
}

/** What one benchmark case trains, on this side and (as `torch`) on PyTorch's. */
export interface NetCase {
  net: TrainableNetwork;
  /** Called before each step s (the supernet selects its sub-network). */
  beforeStep(step: number): void;
  /** Description handed to torch_side.py. */
  torch: Record<string, unknown>;
  describe: string;
  dispose(): void;
}

function planJson(p: BlockPlan): Record<string, unknown> {
  return { cin: p.cin, hidden: p.hidden, cout: p.cout, kernel: p.kernel, stride: p.stride, residual: p.residual };
}

/** Builds net `name`; `steps` sub-networks are drawn for the MBConv supernet (warm-up and profile steps included). */
export function buildCase(name: NetName, steps: number, seed = 1): NetCase {
  if (name === 'conv7') {
    const net = new Conv7Network(seed);
    return {
      net,
      beforeStep: () => undefined,
      torch: { net: 'conv7', channels: 16, strides: CONV7_STRIDES },
      describe: '6 x conv3x3(C=16, no bias)-BN-ReLU, strides 1,1,2,1,2,1; global average pool; linear 10',
      dispose: () => net.dispose(),
    };
  }
  if (name === 'nb201') {
    const ops = parseArchStr(NB201_ARCH) ?? [];
    const net = new Nb201Network({ ops, channels: 16, cellsPerStage: 5, inputShape: [32, 32, 3], numClasses: 10, seed });
    return {
      net,
      beforeStep: () => undefined,
      torch: { net: 'nb201', channels: 16, cellsPerStage: 5, ops: ops.map((o) => ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'][o]) },
      describe: `NB201 cell network ${NB201_ARCH}, C=16, N=5`,
      dispose: () => net.dispose(),
    };
  }
  const net = new MbconvSupernet(MBCONV_SPACE, seed);
  const rng = Rng.fromSeed(seed + 1);
  const configs: MbconvConfig[] = Array.from({ length: steps }, () => net.sample(rng));
  return {
    net,
    beforeStep: (s) => net.set(configs[s % configs.length]),
    torch: {
      net: 'mbconv',
      space: MBCONV_SPACE,
      maxPlans: blockPlans(MBCONV_SPACE, net.maxConfig()).map((st) => st.map(planJson)),
      plans: configs.map((c) => blockPlans(MBCONV_SPACE, c).map((st) => st.map(planJson))),
    },
    describe: 'elastic MBConv supernet (expand 1x1 - depthwise kxk - project 1x1, BN, ReLU6; channel masking, kernel crop, elastic depth), stem 16, stages 16-24 / 24-32 (s2) / 48-64 (s2), head 128; a seeded random sub-network per step, the same ones on both sides',
    dispose: () => net.dispose(),
  };
}
