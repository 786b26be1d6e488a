/**
 * Weight-sharing elastic MBConv supernet (OFA, Cai et al. 2020; BigNAS, Yu et al. 2020; the weight-sharing scheme of
 * NSS and ScaleNet): one set of variables at the largest configuration; a sub-network uses the first channels
 * (FBNetV2-style channel masking), the centre kernel crop and the first `depth` blocks of each stage. `extract`
 * copies a sub-network's inherited (sliced) weights into a standalone network.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../common/rng';
import type { NamedVariable } from '../engine/network';
import { BN_MOMENTUM } from '../nb201/forward';
import { StoreNetwork, WeightStore } from '../nb201/weights';
import { sliceChannels, sliceConvWeight } from './masked';
import { mbconvLogits } from './mbconv-forward';
import { MbconvConfig, MbconvSpace, cloneConfig, maxConfig, sampleConfig, validateConfig, validateSpace } from '../../search/spaces/mbconv';
import { MbconvWeightSpec, createWeights, mbconvParamCount, mbconvWeightSpecs, specBufferNames, specParamNames } from './mbconv-weights';

/** A fixed MBConv network (an extracted sub-network): its variables have exactly the configuration's shapes. */
export class MbconvSubnet extends StoreNetwork {
  constructor(
    readonly space: MbconvSpace,
    readonly config: MbconvConfig,
    store: WeightStore,
  ) {
    super(store);
  }

  get numClasses(): number {
    return this.space.numClasses;
  }

  forward(x: tf.Tensor4D, training: boolean, updateStats = training, bnMomentum = BN_MOMENTUM): tf.Tensor2D {
    return mbconvLogits(x, this.space, this.config, (n) => this.store.get(n), { training, updateStats, momentum: bnMomentum });
  }
}

export class MbconvSupernet extends StoreNetwork {
  readonly space: MbconvSpace;
  private readonly paramByName: Map<string, NamedVariable>;
  private config: MbconvConfig;
  private active: NamedVariable[] = [];

  /** Throws a RangeError naming the bad field of an invalid space. Starts at the largest sub-network. */
  constructor(space: MbconvSpace, seed: number) {
    super(new WeightStore(Rng.fromSeed(seed), 'mbconv'));
    validateSpace(space);
    this.space = space;
    this.config = maxConfig(space);
    createWeights(this.store, mbconvWeightSpecs(space, this.config));
    this.paramByName = new Map(this.store.params.map((p) => [p.name, p]));
    this.set(this.config);
  }

  get numClasses(): number {
    return this.space.numClasses;
  }

  /** A uniformly random sub-network configuration (does not select it; pass it to `set`). */
  sample(rng: Rng): MbconvConfig {
    return sampleConfig(this.space, rng);
  }

  /** The largest sub-network. */
  maxConfig(): MbconvConfig {
    return maxConfig(this.space);
  }

  /** Selects the sub-network used by forward / activeParams; throws a RangeError naming the bad field. */
  set(config: MbconvConfig): void {
    validateConfig(this.space, config);
    this.config = cloneConfig(config);
    const names = mbconvWeightSpecs(this.space, this.config).flatMap(specParamNames);
    this.active = names.map((n) => this.paramByName.get(n) as NamedVariable);
  }

  /** A copy of the selected configuration. */
  current(): MbconvConfig {
    return cloneConfig(this.config);
  }

  /** The variables the selected sub-network touches (whole variables, though it may use only a slice of each). */
  override activeParams(): readonly NamedVariable[] {
    return this.active;
  }

  /** Trainable parameters a standalone copy of `config` (default: the selected one) has. */
  override paramCount(config: MbconvConfig = this.config): number {
    validateConfig(this.space, config);
    return mbconvParamCount(this.space, config);
  }

  forward(x: tf.Tensor4D, training: boolean, updateStats = training, bnMomentum = BN_MOMENTUM): tf.Tensor2D {
    return mbconvLogits(x, this.space, this.config, (n) => this.store.get(n), { training, updateStats, momentum: bnMomentum });
  }

  /**
   * A standalone network holding copies of the weights `config` inherits (first channels, centre kernel crops, the
   * first `depth` blocks) and of the matching slices of the BN running statistics. Its eval-mode forward equals this
   * supernet's forward with `config` selected.
   */
  extract(config: MbconvConfig = this.config): MbconvSubnet {
    validateConfig(this.space, config);
    const copy = cloneConfig(config);
    const store = new WeightStore(Rng.fromSeed(0), 'mbconv_subnet');
    for (const s of mbconvWeightSpecs(this.space, copy)) {
      for (const name of specParamNames(s)) {
        const { values, shape } = this.inherited(s, name);
        store.param(name, shape, values);
      }
      for (const name of specBufferNames(s)) {
        const { values, shape } = this.inherited(s, name);
        store.copyBuffer(name, tf.tensor(values, shape, 'float32'));
      }
    }
    return new MbconvSubnet(this.space, copy, store);
  }

  /** The slice of variable `name` that spec `s` uses, copied out. */
  private inherited(s: MbconvWeightSpec, name: string): { values: Float32Array; shape: number[] } {
    const v = this.store.get(name);
    const t = tf.tidy(() => {
      if (s.kind === 'conv') return sliceConvWeight(v as tf.Tensor4D, s.k, s.cin, s.cout).clone();
      if (s.kind === 'depthwise') return sliceConvWeight(v as tf.Tensor4D, s.k, s.c, 1).clone();
      if (s.kind === 'bn') return sliceChannels(v, s.c).clone();
      return name.endsWith('.w') ? tf.slice(v, [0, 0], [s.cin, s.cout]) : tf.slice(v, [0], [s.cout]);
    });
    const out = { values: Float32Array.from(t.dataSync()), shape: t.shape.slice() };
    t.dispose();
    return out;
  }
}
