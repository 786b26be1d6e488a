/**
 * A weight-sharing supernet over the NAS-Bench-Macro space (src/search/spaces/macro.ts; data/nasbench_macro/
 * PROVENANCE.md): stem 3x3 conv + BN + ReLU, 8 searchable layers in stages of 2/3/3 (first layer of a stage stride 2,
 * width doubled), head 1x1 conv + BN + ReLU, global average pool, linear. Each layer's op is a path choice:
 * - `1` MB3_K3 and `2` MB6_K5 share one elastic MBConv block (OFA-style, the blocks of src/trainer/supernet): the
 *   weights are those of MB6_K5, and MB3_K3 uses the first 3 * cin hidden channels and the centre 3x3 of the 5x5
 *   depthwise kernel (channel masking + kernel crop);
 * - `0` identity is a no-op at a stride-1, same-width layer, and a 1x1 conv (stride 2) + BN of its own elsewhere.
 * Widths: the Macro network's 32 / 64 / 128 / 256 / head 1280, times `widthMultiplier` (rounded, at least 1) so a
 * narrower proxy can train on 2 CPU cores; 1 is the benchmark's layout. The activation is ReLU as in the benchmark.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../common/rng';
import type { NamedVariable } from '../engine/network';
import { BN_MOMENTUM } from '../nb201/forward';
import { StoreNetwork, WeightStore } from '../nb201/weights';
import { MaskedBatchNorm, maskedConv2d } from './masked';
import { mbconvBlock } from './mbconv-forward';
import { BlockPlan } from './mbconv-weights';
import { MACRO_BLOCKS, MACRO_CLASSES, MACRO_HEAD_CHANNELS, MACRO_INPUT, MACRO_LAYERS, MACRO_NUM_LAYERS, MACRO_OPS, MACRO_STEM_CHANNELS, MacroOp, isNoOpIdentity } from '../../search/spaces/macro';

export interface MacroSupernetOptions {
  /** Channel multiplier of every width (stem, stages, head); 1 = NAS-Bench-Macro's network. */
  widthMultiplier: number;
  seed: number;
  numClasses?: number;
}

const relu = (x: tf.Tensor4D): tf.Tensor4D => tf.relu(x);

/** Geometry of the (width-scaled) supernet: per-layer cin / cout / stride. */
export function macroSupernetLayout(widthMultiplier: number): { stem: number; head: number; layers: Array<{ cin: number; cout: number; stride: number; noOpIdentity: boolean }> } {
  if (!(Number.isFinite(widthMultiplier) && widthMultiplier > 0)) throw new RangeError(`widthMultiplier must be a positive number, got ${widthMultiplier}`);
  const s = (c: number): number => Math.max(1, Math.round(c * widthMultiplier));
  return {
    stem: s(MACRO_STEM_CHANNELS),
    head: s(MACRO_HEAD_CHANNELS),
    layers: MACRO_LAYERS.map((l) => ({ cin: s(l.inChannels), cout: s(l.outChannels), stride: l.stride, noOpIdentity: isNoOpIdentity(l) })),
  };
}

export class MacroSupernet extends StoreNetwork {
  readonly numClasses: number;
  readonly layout: ReturnType<typeof macroSupernetLayout>;
  private ops: number[] = new Array<number>(MACRO_NUM_LAYERS).fill(2);
  private readonly byName: Map<string, NamedVariable>;
  private active: NamedVariable[] = [];

  constructor(readonly options: MacroSupernetOptions) {
    super(new WeightStore(Rng.fromSeed(options.seed), 'macro_supernet'));
    this.numClasses = options.numClasses ?? MACRO_CLASSES;
    this.layout = macroSupernetLayout(options.widthMultiplier);
    const st = this.store;
    st.convW('stem', 3, MACRO_INPUT.channels, this.layout.stem);
    st.bn('stem.bn', this.layout.stem);
    const e = MACRO_BLOCKS.MB6_K5;
    this.layout.layers.forEach((l, i) => {
      const h = l.cin * e.expand;
      st.convW(`l${i}.expand`, 1, l.cin, h);
      st.bn(`l${i}.expand.bn`, h);
      st.depthwiseW(`l${i}.dw`, e.kernel, h);
      st.bn(`l${i}.dw.bn`, h);
      st.convW(`l${i}.project`, 1, h, l.cout);
      st.bn(`l${i}.project.bn`, l.cout);
      if (!l.noOpIdentity) {
        st.convW(`l${i}.skip`, 1, l.cin, l.cout);
        st.bn(`l${i}.skip.bn`, l.cout);
      }
    });
    const last = this.layout.layers[MACRO_NUM_LAYERS - 1].cout;
    st.convW('head', 1, last, this.layout.head);
    st.bn('head.bn', this.layout.head);
    st.linear('classifier', this.layout.head, this.numClasses);
    this.byName = new Map(st.params.map((p) => [p.name, p]));
    this.set(this.ops);
  }

  /** Selects the path (8 ops, 0..2 per layer, key-digit order); throws a RangeError on a bad path. */
  set(ops: readonly number[]): void {
    if (ops.length !== MACRO_NUM_LAYERS || !ops.every((o) => Number.isInteger(o) && o >= 0 && o < MACRO_OPS.length)) {
      throw new RangeError(`ops must be ${MACRO_NUM_LAYERS} integers in 0..${MACRO_OPS.length - 1}`);
    }
    this.ops = ops.slice();
    const names = ['stem.w', 'stem.bn.gamma', 'stem.bn.beta'];
    this.ops.forEach((o, i) => {
      const l = this.layout.layers[i];
      if (o === 0) {
        if (!l.noOpIdentity) names.push(`l${i}.skip.w`, `l${i}.skip.bn.gamma`, `l${i}.skip.bn.beta`);
      } else {
        for (const part of ['expand', 'dw', 'project']) names.push(`l${i}.${part}.w`, `l${i}.${part}.bn.gamma`, `l${i}.${part}.bn.beta`);
      }
    });
    names.push('head.w', 'head.bn.gamma', 'head.bn.beta', 'classifier.w', 'classifier.b');
    this.active = names.map((n) => {
      const v = this.byName.get(n);
      if (!v) throw new Error(`macro supernet has no parameter ${n}`);
      return v;
    });
  }

  /** The selected path. */
  current(): number[] {
    return this.ops.slice();
  }

  override activeParams(): readonly NamedVariable[] {
    return this.active;
  }

  /** The block plan of layer `i` under op `op` (1 or 2): hidden = expand * cin, kernel cropped from 5 for MB3_K3. */
  plan(i: number, op: number): BlockPlan {
    const l = this.layout.layers[i];
    const { expand, kernel } = MACRO_BLOCKS[MACRO_OPS[op] as Exclude<MacroOp, 'identity'>];
    return { name: `l${i}`, cin: l.cin, hidden: l.cin * expand, cout: l.cout, kernel, stride: l.stride, residual: l.stride === 1 && l.cin === l.cout };
  }

  forward(x: tf.Tensor4D, training: boolean, updateStats = training, bnMomentum = BN_MOMENTUM): tf.Tensor2D {
    const v = (n: string): tf.Variable => this.store.get(n);
    const bn = new MaskedBatchNorm(v, { training, updateStats, momentum: bnMomentum });
    let h = relu(bn.apply(maskedConv2d(x, v('stem.w') as tf.Tensor4D, this.layout.stem, 1), 'stem.bn'));
    this.ops.forEach((o, i) => {
      const l = this.layout.layers[i];
      if (o === 0) {
        if (!l.noOpIdentity) h = bn.apply(maskedConv2d(h, v(`l${i}.skip.w`) as tf.Tensor4D, l.cout, l.stride), `l${i}.skip.bn`);
      } else {
        h = mbconvBlock(h, this.plan(i, o), v, bn, relu);
      }
    });
    h = relu(bn.apply(maskedConv2d(h, v('head.w') as tf.Tensor4D, this.layout.head, 1), 'head.bn'));
    const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
    const logits = tf.add(tf.matMul(pooled, v('classifier.w') as tf.Tensor2D), v('classifier.b')) as tf.Tensor2D;
    bn.flush();
    return logits;
  }
}
