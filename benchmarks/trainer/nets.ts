/**
 * The three networks of the trainer-vs-PyTorch benchmark, as this service trains them (TrainableNetwork + Sgd), and
 * the plain description benchmarks/trainer/torch_side.py builds the same networks from:
 *   conv7  : 6 x conv3x3(C=16, no bias)-BN-ReLU, strides 1,1,2,1,2,1; global average pool; linear 10;
 *   nb201  : the NAS-Bench-201 cell network of one fixed cell (src/trainer/nb201), C=16, N=5;
 *   mbconv : ScaleNet's super-supernet (src/methods/scalenet/training/super-supernet.ts, `small` preset, M = 3) trained
 *            on ONE fixed path: the largest base model (every block expand 6, kernel 7, squeeze-and-excitation on;
 *            stage 1 expand 1) at S_0 = (d, w, r) = (1, 1, 1): 22 MBConv blocks with SE, swish, 32x32 inputs. The
 *            path uses slices (first channels, centre kernel crop, first blocks) of the supernet's variables, as a
 *            ScaleNet training step does; the PyTorch side slices the same shapes.
 * Inputs 32x32x3, 10 classes, random data (speed only).
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseArchStr } from '../../src/benchmarks/nb201/arch';
import { Rng } from '../../src/common/rng';
import type { TrainableNetwork } from '../../src/trainer/engine/network';
import { BN_EPS } from '../../src/trainer/nb201/forward';
import { Nb201Network } from '../../src/trainer/nb201/model';
import { StoreNetwork, WeightStore } from '../../src/trainer/nb201/weights';
import { trainingBatchNorm } from '../../src/trainer/engine/batch-norm';
import { seChannels } from '../../src/methods/scalenet/science/cost';
import type { ConcreteNet } from '../../src/methods/scalenet/science/path';
import { SMALL_PRESET, scalingSpace, ScaleNetPath } from '../../src/methods/scalenet/science/space';
import { largestBase, pathParamCount, ScaleNetSupernet } from '../../src/methods/scalenet/training/super-supernet';

export type NetName = 'conv7' | 'nb201' | 'mbconv';
export const NET_NAMES: readonly NetName[] = ['conv7', 'nb201', 'mbconv'];

export const CONV7_STRIDES = [1, 1, 2, 1, 2, 1];
export const NB201_ARCH = '|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|';

/** ScaleNet's `small` preset with M = 3 (the scalenet-family job's default): the super-supernet's variables. */
export const MBCONV_PRESET = SMALL_PRESET;
export const MBCONV_M = 3;
/** The fixed path trained by the mbconv case: the largest base model (SE on in every block) at S_0 = (1, 1, 1). */
export const MBCONV_PATH: ScaleNetPath = { base: largestBase(SMALL_PRESET), strategy: { d: 1, w: 1, r: 1 } };

/** One MBConv block as both sides build it (stated in the JSON). */
export interface MbconvBlockJson {
  name: string;
  cin: number;
  /** expand x cin; equals cin when expand is 1 (no expand conv). */
  hidden: number;
  expand: number;
  kernel: number;
  stride: number;
  /** SE squeeze channels: max(1, floor(seRatio x cin)); 0 when SE is off. */
  se: number;
  cout: number;
  residual: boolean;
}

/** The blocks of a concrete ScaleNet network, named as the supernet's variables (s<stage>.b<block>). */
export function mbconvBlocks(net: ConcreteNet): MbconvBlockJson[] {
  return net.stages.flatMap((st, i) =>
    st.blocks.map((b, k) => ({
      name: `s${i}.b${k}`,
      cin: b.cin,
      hidden: b.expand * b.cin,
      expand: b.expand,
      kernel: b.kernel,
      stride: b.stride,
      se: b.se ? seChannels(b.cin, net.seRatio) : 0,
      cout: b.cout,
      residual: b.stride === 1 && b.cin === b.cout,
    })),
  );
}

function netJson(net: ConcreteNet): Record<string, unknown> {
  return { resolution: net.resolution, inChannels: net.inChannels, classes: net.classes, stem: net.stem, head: net.head, seRatio: net.seRatio, blocks: mbconvBlocks(net) };
}

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
  /** Parameter counts of this side (scalars): total of the variables, and those the trained path uses (slices). */
  params: { total: number; used: number };
  dispose(): void;
}

/** Builds net `name`. */
export function buildCase(name: NetName, seed = 1): NetCase {
  if (name === 'conv7') {
    const net = new Conv7Network(seed);
    return {
      net,
      beforeStep: () => undefined,
      torch: { net: 'conv7', channels: 16, strides: CONV7_STRIDES },
      describe: '6 x conv3x3(C=16, no bias)-BN-ReLU, strides 1,1,2,1,2,1; global average pool; linear 10',
      params: countParams(net),
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
      params: countParams(net),
      dispose: () => net.dispose(),
    };
  }
  const net = new ScaleNetSupernet(MBCONV_PRESET, scalingSpace(MBCONV_PRESET, MBCONV_M), seed);
  net.set(MBCONV_PATH);
  const path = net.concrete();
  const blocks = mbconvBlocks(path);
  return {
    net,
    beforeStep: () => undefined,
    torch: { net: 'mbconv', supernet: netJson(net.maxNet), path: netJson(path) },
    describe:
      `ScaleNet super-supernet (${MBCONV_PRESET.name} preset, M = ${MBCONV_M}; variables at the largest path's shapes, ${net.maxNet.stages.reduce((a, st) => a + st.blocks.length, 0)} blocks, ` +
      `resolution ${net.maxNet.resolution}) trained on one fixed path: the largest base model at S_0 = (d, w, r) = (1, 1, 1), ${path.resolution}x${path.resolution}x3 input, ` +
      `${blocks.length} MBConv blocks, all with squeeze-and-excitation (SE ratio ${path.seRatio} of the block input channels). Stem conv3x3/${path.stem.stride} 3->${path.stem.cout}-BN-swish; ` +
      `per block: [expand conv1x1 cin->hidden-BN-swish, absent when expand = 1] - depthwise kxk/stride-BN-swish - SE (global average pool, ` +
      `linear hidden->se + bias, swish, linear se->hidden + bias, sigmoid, multiply) - project conv1x1 hidden->cout-BN - residual add when stride 1 and cin = cout; ` +
      `head conv1x1 ${path.head.cin}->${path.head.cout}-BN-swish, global average pool, linear ${path.head.cout}->${path.classes}. Blocks (cin/hidden/se/cout, kernel, stride): ` +
      blocks.map((b) => `${b.name} ${b.cin}/${b.hidden}/${b.se}/${b.cout} k${b.kernel} s${b.stride}${b.residual ? ' +res' : ''}`).join('; ') +
      '. Convs and depthwise convs without bias; every conv/BN/SE weight is a slice (first channels, centre kernel crop) of the supernet variable, on both sides. Swish = x sigmoid(x) (PyTorch: F.silu)',
    params: { total: countParams(net).total, used: pathParamCount(path) },
    dispose: () => net.dispose(),
  };
}

function countParams(net: TrainableNetwork): { total: number; used: number } {
  const total = net.params.reduce((a, p) => a + p.variable.size, 0);
  return { total, used: net.activeParams().reduce((a, p) => a + p.variable.size, 0) };
}
