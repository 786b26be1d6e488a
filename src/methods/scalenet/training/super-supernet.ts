/**
 * The ScaleNet super-supernet (Sec. 3.2): ONE weight-sharing MBConv network whose paths are every (base model alpha,
 * scaling strategy S) of a preset, i.e. all scaling stages 0..M at once. A path is the concrete network of Eq. 28-30
 * (science/path.ts) and uses, of the shared variables (held at the shapes of the largest path: deepest base model,
 * expand 6, kernel 7, SE on, largest strategy of stage M):
 * - elastic depth: the first n_s = ceil(n d) blocks of each stage (the output of the n_s-th block);
 * - elastic width: channel masking, the first c_s = ceil(c w) output (and the input's) channels of every conv/BN;
 * - elastic kernel: the centre k x k crop of the 7 x 7 depthwise kernel; elastic expand: the first e x cin hidden
 *   channels; SE on/off: the block's SE weights are used (first channels) or skipped;
 * - elastic resolution: the batch is resized (bilinear) to ceil(base r) before the stem (Eq. 30).
 * Activation swish (EfficientNet / ScaleNet's MBConv); BN semantics of src/trainer/supernet/masked.ts.
 */
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../../common/rng';
import type { NamedVariable } from '../../../trainer/engine/network';
import { BN_MOMENTUM } from '../../../trainer/nb201/forward';
import { StoreNetwork, WeightStore } from '../../../trainer/nb201/weights';
import { MaskedBatchNorm, elasticDepthwise, maskedConv2d, sliceChannels } from '../../../trainer/supernet/masked';
import { seChannels } from '../science/cost';
import { ConcreteNet, generatePath } from '../science/path';
import { BaseModel, ScaleNetPath, ScaleNetPreset, ScalingSpace, ScalingStrategy } from '../science/space';

/** The largest base model of a preset: n_max blocks, largest expand and kernel, SE on, per stage. */
export function largestBase(preset: ScaleNetPreset): BaseModel {
  return {
    stages: preset.stages.map((s) =>
      Array.from({ length: s.maxBlocks }, () => ({ expand: Math.max(...s.expands), kernel: Math.max(...s.kernels), se: s.seChoices.includes(true) })),
    ),
  };
}

/** The largest strategy of the space (largest d, w, r of any stage). */
export function largestStrategy(space: ScalingSpace): ScalingStrategy {
  const all = space.stages;
  return { d: Math.max(...all.flatMap((g) => g.d)), w: Math.max(...all.flatMap((g) => g.w)), r: Math.max(...all.flatMap((g) => g.r)) };
}

const swish = (x: tf.Tensor4D): tf.Tensor4D => tf.mul(x, tf.sigmoid(x));

/** Name prefix of block k of stage i (0-based). */
const blockName = (i: number, k: number): string => `s${i}.b${k}`;

export class ScaleNetSupernet extends StoreNetwork {
  /** The largest path's network: the shapes of the shared variables. */
  readonly maxNet: ConcreteNet;
  private readonly byName: Map<string, NamedVariable>;
  private net: ConcreteNet;
  private path: ScaleNetPath;
  private active: NamedVariable[] = [];

  constructor(
    readonly preset: ScaleNetPreset,
    readonly space: ScalingSpace,
    seed: number,
    /** A stand-alone network of this one path (its own weights at its own shapes) instead of the supernet. */
    only?: ScaleNetPath,
  ) {
    super(new WeightStore(Rng.fromSeed(seed), only ? 'scalenet_member' : 'scalenet'));
    const big: ScaleNetPath = only ?? { base: largestBase(preset), strategy: largestStrategy(space) };
    this.maxNet = generatePath(preset, big.base, big.strategy);
    const m = this.maxNet;
    this.store.convW('stem', m.stem.kernel, m.inChannels, m.stem.cout);
    this.store.bn('stem.bn', m.stem.cout);
    m.stages.forEach((st, i) => {
      st.blocks.forEach((b, k) => {
        const p = blockName(i, k);
        const hid = b.expand * b.cin;
        if (b.expand !== 1) {
          this.store.convW(`${p}.expand`, 1, b.cin, hid);
          this.store.bn(`${p}.expand.bn`, hid);
        }
        this.store.depthwiseW(`${p}.dw`, b.kernel, hid);
        this.store.bn(`${p}.dw.bn`, hid);
        if (only ? b.se : preset.stages[i].seChoices.includes(true)) {
          const sq = seChannels(b.cin, m.seRatio);
          this.store.linear(`${p}.se.reduce`, hid, sq);
          this.store.linear(`${p}.se.expand`, sq, hid);
        }
        this.store.convW(`${p}.project`, 1, hid, b.cout);
        this.store.bn(`${p}.project.bn`, b.cout);
      });
    });
    this.store.convW('head', 1, m.head.cin, m.head.cout);
    this.store.bn('head.bn', m.head.cout);
    this.store.linear('classifier', m.head.cout, m.classes);
    this.byName = new Map(this.store.params.map((p) => [p.name, p]));
    this.path = big;
    this.net = this.maxNet;
    this.set(big);
  }

  /** A stand-alone network of `path` (retraining from scratch, Sec. 4: every member is trained on its own). */
  static standalone(preset: ScaleNetPreset, space: ScalingSpace, path: ScaleNetPath, seed: number): ScaleNetSupernet {
    return new ScaleNetSupernet(preset, space, seed, path);
  }

  get numClasses(): number {
    return this.preset.classes;
  }

  /** Selects the path used by forward / activeParams (its concrete network by Eq. 28-30). */
  set(path: ScaleNetPath): void {
    const net = generatePath(this.preset, path.base, path.strategy);
    net.stages.forEach((st, i) => {
      if (st.blocks.length > this.maxNet.stages[i].blocks.length) throw new RangeError(`stage ${i + 1} of the path has ${st.blocks.length} blocks, the supernet ${this.maxNet.stages[i].blocks.length}`);
    });
    if (net.stem.cout > this.maxNet.stem.cout || net.resolution > this.maxNet.resolution) throw new RangeError('path is wider or larger than the supernet');
    this.net = net;
    this.path = { base: path.base, strategy: { ...path.strategy } };
    this.active = activeNames(net).map((n) => {
      const v = this.byName.get(n);
      if (!v) throw new RangeError(`path needs variable ${n}, which the supernet lacks`);
      return v;
    });
  }

  current(): ScaleNetPath {
    return this.path;
  }

  concrete(): ConcreteNet {
    return this.net;
  }

  override activeParams(): readonly NamedVariable[] {
    return this.active;
  }

  /** Parameters the selected path uses (its slices' sizes), BN scale/shift included: equals science/cost.ts `params`. */
  activeParamCount(): number {
    return pathParamCount(this.net);
  }

  forward(x: tf.Tensor4D, training: boolean, updateStats = training, bnMomentum = BN_MOMENTUM): tf.Tensor2D {
    const net = this.net;
    const v = (n: string): tf.Variable => this.store.get(n);
    const bn = new MaskedBatchNorm(v, { training, updateStats, momentum: bnMomentum });
    const r = net.resolution;
    // Eq. 30: the path's resolution; the data's own size when it already matches
    let h: tf.Tensor4D = x.shape[1] === r && x.shape[2] === r ? x : tf.image.resizeBilinear(x, [r, r]);
    h = swish(bn.apply(maskedConv2d(h, v('stem.w') as tf.Tensor4D, net.stem.cout, net.stem.stride), 'stem.bn'));
    net.stages.forEach((st, i) => {
      st.blocks.forEach((b, k) => {
        const p = blockName(i, k);
        const input = h;
        const hid = b.expand * b.cin;
        let y = input;
        if (b.expand !== 1) y = swish(bn.apply(maskedConv2d(y, v(`${p}.expand.w`) as tf.Tensor4D, hid, 1), `${p}.expand.bn`));
        y = swish(bn.apply(elasticDepthwise(y, v(`${p}.dw.w`) as tf.Tensor4D, b.kernel, b.stride), `${p}.dw.bn`));
        if (b.se) {
          const sq = seChannels(b.cin, net.seRatio);
          const pooled = tf.mean(y, [1, 2]) as tf.Tensor2D;
          const s1 = tf.add(tf.matMul(pooled, tf.slice(v(`${p}.se.reduce.w`), [0, 0], [hid, sq]) as tf.Tensor2D), sliceChannels(v(`${p}.se.reduce.b`), sq));
          const z = tf.mul(s1, tf.sigmoid(s1));
          const s2 = tf.sigmoid(tf.add(tf.matMul(z as tf.Tensor2D, tf.slice(v(`${p}.se.expand.w`), [0, 0], [sq, hid]) as tf.Tensor2D), sliceChannels(v(`${p}.se.expand.b`), hid)));
          y = tf.mul(y, tf.reshape(s2, [-1, 1, 1, hid]));
        }
        y = bn.apply(maskedConv2d(y, v(`${p}.project.w`) as tf.Tensor4D, b.cout, 1), `${p}.project.bn`);
        h = b.stride === 1 && b.cin === b.cout ? tf.add(input, y) : y;
      });
    });
    h = swish(bn.apply(maskedConv2d(h, v('head.w') as tf.Tensor4D, net.head.cout, 1), 'head.bn'));
    const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
    const logits = tf.add(tf.matMul(pooled, v('classifier.w') as tf.Tensor2D), v('classifier.b')) as tf.Tensor2D;
    bn.flush();
    return logits;
  }

  /** Parameters and BN buffers as plain arrays (the `supernet` artefact's content). */
  exportWeights(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const p of this.params) out[`p:${p.name}`] = Float32Array.from(p.variable.dataSync());
    for (const b of this.buffers) out[`b:${b.name}`] = Float32Array.from(b.variable.dataSync());
    return out;
  }

  /** SHA-256 (hex) of every trainable parameter in creation order (not the BN statistics, which evaluation recalibrates). */
  weightsSha256(): string {
    const h = createHash('sha256');
    for (const v of this.params) h.update(Buffer.from((v.variable.dataSync() as Float32Array).buffer.slice(0)));
    return h.digest('hex');
  }

  /** Restores exportWeights' output; RangeError naming the first missing or mis-sized tensor. */
  importWeights(arrays: Record<string, ArrayLike<number>>): void {
    const all = [...this.params.map((p) => ['p', p] as const), ...this.buffers.map((b) => ['b', b] as const)];
    for (const [k, nv] of all) {
      const a = arrays[`${k}:${nv.name}`];
      if (!a || a.length !== nv.variable.size) throw new RangeError(`supernet tensor ${k}:${nv.name} is missing or has the wrong size`);
    }
    for (const [k, nv] of all) nv.variable.assign(tf.tensor(Float32Array.from(arrays[`${k}:${nv.name}`]), nv.variable.shape, 'float32'));
  }
}

/** Names of the parameters a concrete network uses (whole variables; it may use a slice of each). */
export function activeNames(net: ConcreteNet): string[] {
  const out = ['stem.w', 'stem.bn.gamma', 'stem.bn.beta'];
  const bnN = (n: string): string[] => [`${n}.gamma`, `${n}.beta`];
  net.stages.forEach((st, i) =>
    st.blocks.forEach((b, k) => {
      const p = blockName(i, k);
      if (b.expand !== 1) out.push(`${p}.expand.w`, ...bnN(`${p}.expand.bn`));
      out.push(`${p}.dw.w`, ...bnN(`${p}.dw.bn`));
      if (b.se) out.push(`${p}.se.reduce.w`, `${p}.se.reduce.b`, `${p}.se.expand.w`, `${p}.se.expand.b`);
      out.push(`${p}.project.w`, ...bnN(`${p}.project.bn`));
    }),
  );
  out.push('head.w', ...bnN('head.bn'), 'classifier.w', 'classifier.b');
  return out;
}

/** Parameters of a concrete network counted from the slices the supernet hands it (BN scale/shift included). */
export function pathParamCount(net: ConcreteNet): number {
  let n = net.stem.kernel ** 2 * net.inChannels * net.stem.cout + 2 * net.stem.cout;
  for (const st of net.stages) {
    for (const b of st.blocks) {
      const hid = b.expand * b.cin;
      if (b.expand !== 1) n += b.cin * hid + 2 * hid;
      n += b.kernel ** 2 * hid + 2 * hid;
      if (b.se) {
        const sq = seChannels(b.cin, net.seRatio);
        n += hid * sq + sq + sq * hid + hid;
      }
      n += hid * b.cout + 2 * b.cout;
    }
  }
  return n + net.head.cin * net.head.cout + 2 * net.head.cout + net.head.cout * net.classes + net.classes;
}
