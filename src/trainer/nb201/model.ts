/**
 * NAS-Bench-201 cell network (Dong & Yang 2020, Fig. 1) in TensorFlow.js functional ops, mirroring
 * src/benchmarks/nb201/network.ts (the cost counter's definition): stem conv3x3 + BN; three stages of N cells at
 * C, 2C, 4C channels with ResNet reduction blocks between them; lastact BN + ReLU; global average pool; linear.
 * Cell ops: none (zero), skip_connect, nor_conv_1x1 / nor_conv_3x3 (ReLU-Conv-BN), avg_pool_3x3 (stride 1,
 * padding excluded from the average, like PyTorch's count_include_pad=False). BatchNorm uses batch statistics in
 * training and running statistics (momentum 0.1, unbiased running variance, as PyTorch) in evaluation.
 * Initialisation is PyTorch's default, drawn from a seeded Rng, so a seed fixes the network bit for bit.
 * Convolutions pad (k-1)/2 on every side, as PyTorch's Conv2d(padding=(k-1)//2) in NB201 (TF 'same' would pad
 * stride-2 convs bottom/right only).
 */
import * as tf from '@tensorflow/tfjs-core';
import { NB201_EDGE_SOURCE } from '../../benchmarks/nb201/arch';
import { NB201_OPS, Nb201Op } from '../../benchmarks/nb201/types';
import { Rng } from '../../search/common/rng';

export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;

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

interface BnParams {
  gamma: tf.Variable;
  beta: tf.Variable;
  runMean: tf.Variable;
  runVar: tf.Variable;
}

/** A parameter or buffer with a stable name (checkpoint key). */
export interface NamedVariable {
  name: string;
  variable: tf.Variable;
}

/** Uniform in [-bound, bound) from the seeded Rng (PyTorch's kaiming_uniform(a=sqrt 5) gives bound 1/sqrt(fan_in)). */
function uniform(rng: Rng, n: number, bound: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (rng.next() * 2 - 1) * bound;
  return a;
}

export class Nb201Network {
  readonly config: Nb201NetConfig;
  /** Trainable parameters in creation (forward) order. */
  readonly params: NamedVariable[] = [];
  /** BN running statistics (not trainable). */
  readonly buffers: NamedVariable[] = [];
  private readonly rng: Rng;
  /** tf.variable names are global to the engine: every network gets its own prefix. */
  private static instances = 0;
  private readonly prefix = `nb201_${Nb201Network.instances++}/`;

  constructor(config: Nb201NetConfig) {
    if (config.ops.length !== 6 || config.ops.some((o) => !Number.isInteger(o) || o < 0 || o >= NB201_OPS.length)) {
      throw new RangeError('ops must be six NB201 op indices');
    }
    this.config = config;
    this.rng = Rng.fromSeed(config.seed);
    this.createAll();
  }

  // ---- parameter creation (names are checkpoint keys; order fixes the init draws) ----

  private param(name: string, shape: number[], values: Float32Array): tf.Variable {
    const v = tf.variable(tf.tensor(values, shape, 'float32'), true, this.prefix + name);
    this.params.push({ name, variable: v });
    return v;
  }

  private convW(name: string, k: number, cin: number, cout: number): void {
    const fanIn = cin * k * k;
    this.param(`${name}.w`, [k, k, cin, cout], uniform(this.rng, k * k * cin * cout, 1 / Math.sqrt(fanIn)));
  }

  private bn(name: string, c: number): void {
    this.param(`${name}.gamma`, [c], new Float32Array(c).fill(1));
    this.param(`${name}.beta`, [c], new Float32Array(c));
    this.buffers.push({ name: `${name}.runMean`, variable: tf.variable(tf.zeros([c]), false, `${this.prefix}${name}.runMean`) });
    this.buffers.push({ name: `${name}.runVar`, variable: tf.variable(tf.ones([c]), false, `${this.prefix}${name}.runVar`) });
  }

  private createAll(): void {
    const { channels: C0, cellsPerStage, inputShape, numClasses, ops } = this.config;
    let c = C0;
    this.convW('stem', 3, inputShape[2], c);
    this.bn('stem.bn', c);
    for (let stage = 0; stage < 3; stage++) {
      if (stage > 0) {
        const cin = c;
        c *= 2;
        this.convW(`red${stage}.a`, 3, cin, c);
        this.bn(`red${stage}.a.bn`, c);
        this.convW(`red${stage}.b`, 3, c, c);
        this.bn(`red${stage}.b.bn`, c);
        this.convW(`red${stage}.short`, 1, cin, c);
      }
      for (let cell = 0; cell < cellsPerStage; cell++) {
        for (let e = 0; e < 6; e++) {
          const op = NB201_OPS[ops[e]];
          const k = op === 'nor_conv_3x3' ? 3 : op === 'nor_conv_1x1' ? 1 : 0;
          if (k === 0) continue;
          this.convW(`s${stage}.c${cell}.e${e}`, k, c, c);
          this.bn(`s${stage}.c${cell}.e${e}.bn`, c);
        }
      }
    }
    this.bn('lastact.bn', c);
    const bound = 1 / Math.sqrt(c);
    this.param('classifier.w', [c, numClasses], uniform(this.rng, c * numClasses, bound));
    this.param('classifier.b', [numClasses], uniform(this.rng, numClasses, bound));
  }

  // ---- forward ----

  private readonly byName = (): Map<string, tf.Variable> => new Map([...this.params, ...this.buffers].map((p) => [p.name, p.variable]));
  private lookup: Map<string, tf.Variable> | null = null;

  private v(name: string): tf.Variable {
    if (this.lookup === null) this.lookup = this.byName();
    const v = this.lookup.get(name);
    if (!v) throw new Error(`no variable ${name}`);
    return v;
  }

  /** Total trainable parameter count. */
  paramCount(): number {
    return this.params.reduce((s, p) => s + p.variable.size, 0);
  }

  /**
   * Logits for a NHWC batch. training=true: BN normalises with batch statistics and (when updateStats) the
   * running statistics are updated; training=false: BN uses the running statistics.
   */
  forward(x: tf.Tensor4D, training: boolean, updateStats = training): tf.Tensor2D {
    const pending: Array<{ name: string; mean: tf.Tensor1D; variance: tf.Tensor1D; n: number }> = [];
    const batchNorm = (h: tf.Tensor4D, name: string): tf.Tensor4D => {
      const gamma = this.v(`${name}.gamma`) as tf.Tensor1D;
      const beta = this.v(`${name}.beta`) as tf.Tensor1D;
      if (!training) return tf.batchNorm4d(h, this.v(`${name}.runMean`) as tf.Tensor1D, this.v(`${name}.runVar`) as tf.Tensor1D, beta, gamma, BN_EPS);
      const { mean, variance } = tf.moments(h, [0, 1, 2]);
      if (updateStats) pending.push({ name, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D, n: h.shape[0] * h.shape[1] * h.shape[2] });
      return tf.batchNorm4d(h, mean as tf.Tensor1D, variance as tf.Tensor1D, beta, gamma, BN_EPS);
    };
    const conv = (h: tf.Tensor4D, name: string, stride: 1 | 2): tf.Tensor4D => {
      const w = this.v(`${name}.w`) as tf.Tensor4D;
      const p = (w.shape[0] - 1) >> 1;
      return tf.conv2d(h, w, stride, [[0, 0], [p, p], [p, p], [0, 0]]);
    };
    const reluConvBn = (h: tf.Tensor4D, name: string, stride: 1 | 2): tf.Tensor4D => batchNorm(conv(tf.relu(h), name, stride), `${name}.bn`);

    const { cellsPerStage, ops } = this.config;
    let h = batchNorm(conv(x, 'stem', 1), 'stem.bn');
    for (let stage = 0; stage < 3; stage++) {
      if (stage > 0) {
        const main = reluConvBn(reluConvBn(h, `red${stage}.a`, 2), `red${stage}.b`, 1);
        const short = conv(tf.avgPool(h, 2, 2, 'valid'), `red${stage}.short`, 1);
        h = tf.add(main, short);
      }
      for (let cell = 0; cell < cellsPerStage; cell++) h = this.cell(h, ops, `s${stage}.c${cell}`, reluConvBn);
    }
    h = tf.relu(batchNorm(h, 'lastact.bn'));
    const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
    const logits = tf.add(tf.matMul(pooled, this.v('classifier.w') as tf.Tensor2D), this.v('classifier.b')) as tf.Tensor2D;
    for (const p of pending) this.updateRunning(p.name, p.mean, p.variance, p.n);
    return logits;
  }

  private cell(x: tf.Tensor4D, ops: readonly number[], name: string, reluConvBn: (h: tf.Tensor4D, name: string, stride: 1 | 2) => tf.Tensor4D): tf.Tensor4D {
    const nodes: tf.Tensor4D[] = [x];
    let e = 0;
    for (let node = 1; node <= 3; node++) {
      const terms: tf.Tensor4D[] = [];
      for (let j = 0; j < node; j++, e++) {
        const src = nodes[NB201_EDGE_SOURCE[e]];
        const op: Nb201Op = NB201_OPS[ops[e]];
        if (op === 'none') continue;
        if (op === 'skip_connect') terms.push(src);
        else if (op === 'avg_pool_3x3') terms.push(tf.avgPool(src, 3, 1, 'same'));
        else terms.push(reluConvBn(src, `${name}.e${e}`, 1));
      }
      nodes.push(terms.length === 0 ? tf.zerosLike(x) : terms.length === 1 ? terms[0] : (tf.addN(terms) as tf.Tensor4D));
    }
    return nodes[3];
  }

  /** running = (1 - m) * running + m * batch stat; the variance is the unbiased one (PyTorch BatchNorm2d). */
  private updateRunning(name: string, mean: tf.Tensor1D, variance: tf.Tensor1D, n: number): void {
    const rm = this.v(`${name}.runMean`);
    const rv = this.v(`${name}.runVar`);
    const unbiased = n > 1 ? n / (n - 1) : 1;
    tf.tidy(() => {
      rm.assign(tf.add(tf.mul(rm, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM)));
      rv.assign(tf.add(tf.mul(rv, 1 - BN_MOMENTUM), tf.mul(variance, BN_MOMENTUM * unbiased)));
    });
  }

  dispose(): void {
    for (const p of [...this.params, ...this.buffers]) p.variable.dispose();
  }
}
