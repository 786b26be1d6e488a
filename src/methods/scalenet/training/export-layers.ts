/**
 * Export of one ScaleNet path (a retrained family member, or a path of the super-supernet with its inherited slices)
 * as a TensorFlow.js LayersModel: a functional tfjs-layers graph computing `net.forward(x, false)` of the selected
 * path, with the weights (sliced to the path's channels and kernels) copied in.
 * - Eq. 30 resolution: the model's input is the path's resolution r x r. Images of another size are resized first
 *   with tf.image.resizeBilinear(x, [r, r]) (its defaults), as the training pass does. (tfjs-layers 4.22's Resizing
 *   layer drops the batch dimension from its output shape and cannot be followed by a conv, so it is not in the graph.)
 * - Convolutions pad (k-1)/2 on every side (as the training pass): ZeroPadding2D + 'valid', since tfjs 'same' padding
 *   is asymmetric at stride 2. Depthwise convs are DepthwiseConv2D (depth multiplier 1).
 * - MBConv's SE: GlobalAveragePooling2D, Dense + swish, Dense + sigmoid, Reshape to [1, 1, hid], Multiply.
 * - BatchNorm uses the running statistics (inference); activations are swish.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { BN_EPS } from '../../../trainer/nb201/forward';
import { sliceChannels, sliceConvWeight } from '../../../trainer/supernet/masked';
import { seChannels } from '../science/cost';
import type { ScaleNetSupernet } from './super-supernet';

type Sym = tfl.SymbolicTensor;

/** A tfjs-layers model of the path `net` has selected; input: r x r images (Eq. 30), normalised as in training. */
export function scaleNetToLayersModel(net: ScaleNetSupernet, name = 'scalenet_member'): tfl.LayersModel {
  const c = net.concrete();
  const v = (n: string): tf.Variable => net.variable(n);
  const weights: Array<{ layer: tfl.layers.Layer; values: tf.Tensor[] }> = [];
  const swish = (x: Sym, n: string): Sym => tfl.layers.activation({ activation: 'swish', name: n }).apply(x) as Sym;
  const conv = (x: Sym, n: string, k: number, cin: number, cout: number, stride: number): Sym => {
    const p = (k - 1) >> 1;
    const padded = p > 0 ? (tfl.layers.zeroPadding2d({ padding: [[p, p], [p, p]], name: `${n}.pad` }).apply(x) as Sym) : x;
    const layer = tfl.layers.conv2d({ filters: cout, kernelSize: k, strides: stride, padding: 'valid', useBias: false, name: n });
    weights.push({ layer, values: [sliceConvWeight(v(`${n}.w`) as tf.Tensor4D, k, cin, cout)] });
    return layer.apply(padded) as Sym;
  };
  const depthwise = (x: Sym, n: string, k: number, ch: number, stride: number): Sym => {
    const p = (k - 1) >> 1;
    const padded = p > 0 ? (tfl.layers.zeroPadding2d({ padding: [[p, p], [p, p]], name: `${n}.pad` }).apply(x) as Sym) : x;
    const layer = tfl.layers.depthwiseConv2d({ kernelSize: k, strides: stride, padding: 'valid', depthMultiplier: 1, useBias: false, name: n });
    weights.push({ layer, values: [sliceConvWeight(v(`${n}.w`) as tf.Tensor4D, k, ch, 1)] });
    return layer.apply(padded) as Sym;
  };
  const bn = (x: Sym, n: string, ch: number): Sym => {
    const layer = tfl.layers.batchNormalization({ epsilon: BN_EPS, momentum: 0.9, name: n });
    weights.push({ layer, values: ['gamma', 'beta', 'runMean', 'runVar'].map((s) => sliceChannels(v(`${n}.${s}`), ch)) });
    return layer.apply(x) as Sym;
  };
  const dense = (x: Sym, n: string, cin: number, cout: number, activation?: 'swish' | 'sigmoid'): Sym => {
    const layer = tfl.layers.dense({ units: cout, name: n, ...(activation ? { activation } : {}) });
    weights.push({ layer, values: [tf.slice(v(`${n}.w`), [0, 0], [cin, cout]), sliceChannels(v(`${n}.b`), cout)] });
    return layer.apply(x) as Sym;
  };

  const r = c.resolution;
  const input = tfl.input({ shape: [r, r, c.inChannels], name: 'image' });
  let h: Sym = input;
  h = swish(bn(conv(h, 'stem', c.stem.kernel, c.inChannels, c.stem.cout, c.stem.stride), 'stem.bn', c.stem.cout), 'stem.act');
  c.stages.forEach((st, i) => {
    st.blocks.forEach((b, k) => {
      const p = `s${i}.b${k}`;
      const hid = b.expand * b.cin;
      const x = h;
      let y = x;
      if (b.expand !== 1) y = swish(bn(conv(y, `${p}.expand`, 1, b.cin, hid, 1), `${p}.expand.bn`, hid), `${p}.expand.act`);
      y = swish(bn(depthwise(y, `${p}.dw`, b.kernel, hid, b.stride), `${p}.dw.bn`, hid), `${p}.dw.act`);
      if (b.se) {
        const sq = seChannels(b.cin, c.seRatio);
        const pooled = tfl.layers.globalAveragePooling2d({ name: `${p}.se.pool` }).apply(y) as Sym;
        const gate = dense(dense(pooled, `${p}.se.reduce`, hid, sq, 'swish'), `${p}.se.expand`, sq, hid, 'sigmoid');
        const gate4 = tfl.layers.reshape({ targetShape: [1, 1, hid], name: `${p}.se.reshape` }).apply(gate) as Sym;
        y = tfl.layers.multiply({ name: `${p}.se.scale` }).apply([y, gate4]) as Sym;
      }
      y = bn(conv(y, `${p}.project`, 1, hid, b.cout, 1), `${p}.project.bn`, b.cout);
      h = b.stride === 1 && b.cin === b.cout ? (tfl.layers.add({ name: `${p}.add` }).apply([x, y]) as Sym) : y;
    });
  });
  h = swish(bn(conv(h, 'head', 1, c.head.cin, c.head.cout, 1), 'head.bn', c.head.cout), 'head.act');
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(h) as Sym;
  const logits = dense(pooled, 'classifier', c.head.cout, c.classes);
  const model = tfl.model({ inputs: input, outputs: logits, name });
  for (const { layer, values } of weights) {
    layer.setWeights(values);
    for (const t of values) if (!(t instanceof tf.Variable)) t.dispose(); // slices (setWeights keeps its own copy)
  }
  return model;
}
