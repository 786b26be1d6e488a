/**
 * Parameter creation for NB201 cell networks: a store of named tf.Variables (names are checkpoint keys) initialised
 * as PyTorch does by default, drawn from a seeded Rng so that a seed fixes a network bit for bit.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../common/rng';
import type { NamedVariable, TrainableNetwork } from '../engine/network';

/** Uniform in [-bound, bound) from the seeded Rng (PyTorch's kaiming_uniform(a=sqrt 5) gives bound 1/sqrt(fan_in)). */
function uniform(rng: Rng, n: number, bound: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (rng.next() * 2 - 1) * bound;
  return a;
}

/** A variable holding `init`'s values; `init` is disposed (the variable keeps its own reference to the data). */
function variableFrom(init: tf.Tensor, trainable: boolean, name: string): tf.Variable {
  const v = tf.variable(init, trainable, name);
  init.dispose();
  return v;
}

export class WeightStore {
  readonly params: NamedVariable[] = [];
  readonly buffers: NamedVariable[] = [];
  private readonly byName = new Map<string, tf.Variable>();
  /** tf.variable names are global to the engine: every store gets its own prefix. */
  private static instances = 0;
  private readonly prefix: string;

  constructor(
    private readonly rng: Rng,
    kind: string,
  ) {
    this.prefix = `${kind}_${WeightStore.instances++}/`;
  }

  get(name: string): tf.Variable {
    const v = this.byName.get(name);
    if (!v) throw new Error(`no variable ${name}`);
    return v;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** A trainable parameter with the given initial values. */
  param(name: string, shape: number[], values: Float32Array): tf.Variable {
    const v = variableFrom(tf.tensor(values, shape, 'float32'), true, this.prefix + name);
    this.params.push({ name, variable: v });
    this.byName.set(name, v);
    return v;
  }

  private buffer(name: string, init: tf.Tensor): void {
    const v = variableFrom(init, false, this.prefix + name);
    this.buffers.push({ name, variable: v });
    this.byName.set(name, v);
  }

  convW(name: string, k: number, cin: number, cout: number): void {
    const fanIn = cin * k * k;
    this.param(`${name}.w`, [k, k, cin, cout], uniform(this.rng, k * k * cin * cout, 1 / Math.sqrt(fanIn)));
  }

  /** Depthwise conv weight [k, k, c, 1] (PyTorch Conv2d with groups=c: fan_in = k*k). */
  depthwiseW(name: string, k: number, c: number): void {
    this.param(`${name}.w`, [k, k, c, 1], uniform(this.rng, k * k * c, 1 / k));
  }

  bn(name: string, c: number): void {
    this.param(`${name}.gamma`, [c], new Float32Array(c).fill(1));
    this.param(`${name}.beta`, [c], new Float32Array(c));
    this.buffer(`${name}.runMean`, tf.zeros([c]));
    this.buffer(`${name}.runVar`, tf.ones([c]));
  }

  /** The linear classifier (PyTorch nn.Linear init: weight and bias uniform with bound 1/sqrt(in)). */
  linear(name: string, cin: number, cout: number): void {
    const bound = 1 / Math.sqrt(cin);
    this.param(`${name}.w`, [cin, cout], uniform(this.rng, cin * cout, bound));
    this.param(`${name}.b`, [cout], uniform(this.rng, cout, bound));
  }

  /** A new parameter holding `values` (a supernet's independent weight copy); takes ownership of `values`. */
  copyParam(name: string, like: tf.Variable, values: tf.Tensor): void {
    const v = variableFrom(values, true, this.prefix + name);
    if (!v.shape.every((d, i) => d === like.shape[i])) throw new Error(`copy ${name} has the wrong shape`);
    this.params.push({ name, variable: v });
    this.byName.set(name, v);
  }

  /** A new buffer holding a copy of `values`. */
  copyBuffer(name: string, values: tf.Tensor): void {
    this.buffer(name, values);
  }

  dispose(): void {
    for (const p of [...this.params, ...this.buffers]) p.variable.dispose();
  }
}

/**
 * Creates the weights of an NB201 network in forward order: stem, per stage (reduction block, then the cells'
 * edge weights via `cellWeights`), lastact BN, classifier. Returns the channel count of the last stage.
 */
export function createNb201Weights(
  store: WeightStore,
  cfg: { channels: number; cellsPerStage: number; inputChannels: number; numClasses: number },
  cellWeights: (stage: number, cell: number, channels: number) => void,
): number {
  let c = cfg.channels;
  store.convW('stem', 3, cfg.inputChannels, c);
  store.bn('stem.bn', c);
  for (let stage = 0; stage < 3; stage++) {
    if (stage > 0) {
      const cin = c;
      c *= 2;
      store.convW(`red${stage}.a`, 3, cin, c);
      store.bn(`red${stage}.a.bn`, c);
      store.convW(`red${stage}.b`, 3, c, c);
      store.bn(`red${stage}.b.bn`, c);
      store.convW(`red${stage}.short`, 1, cin, c);
    }
    for (let cell = 0; cell < cfg.cellsPerStage; cell++) cellWeights(stage, cell, c);
  }
  store.bn('lastact.bn', c);
  store.linear('classifier', c, cfg.numClasses);
  return c;
}

/** A network whose variables live in a WeightStore: the accessors every such network shares. */
export abstract class StoreNetwork implements TrainableNetwork {
  protected constructor(protected readonly store: WeightStore) {}

  abstract get numClasses(): number;

  abstract forward(x: tf.Tensor4D, training: boolean, updateStats?: boolean, bnMomentum?: number): tf.Tensor2D;

  /** Trainable parameters in creation order (for a supernet: of every path). */
  get params(): NamedVariable[] {
    return this.store.params;
  }

  /** BN running statistics (not trainable). */
  get buffers(): NamedVariable[] {
    return this.store.buffers;
  }

  /** A fixed network uses all its parameters; supernets override this with their selected path's. */
  activeParams(): readonly NamedVariable[] {
    return this.store.params;
  }

  /** The variable called `name` (a checkpoint key). */
  variable(name: string): tf.Variable {
    return this.store.get(name);
  }

  /** Total trainable parameter count (sum of variable sizes). */
  paramCount(): number {
    return this.store.params.reduce((n, p) => n + p.variable.size, 0);
  }

  dispose(): void {
    this.store.dispose();
  }
}
