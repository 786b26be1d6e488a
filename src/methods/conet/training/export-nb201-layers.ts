// Export of a trained CONet NB201 cell network (nb201-preset.ts) as a TensorFlow.js LayersModel: the forward pass of
// src/trainer/nb201/forward.ts in tfjs-layers with the trained weights copied in. Convolutions pad symmetrically
// through ZeroPadding2D + 'valid' (tfjs 'same' is asymmetric at stride 2); avg_pool_3x3 is AveragePooling2D 'same'
// at stride 1 (the same tf.avgPool the training pass uses); a cell node whose inbound edges are all `none` is zeros,
// made by a frozen 1x1 conv with a zero kernel; BatchNorm uses the running statistics (inference).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { NB201_EDGE_SOURCE } from '../../../benchmarks/nb201/arch';
import { NB201_OPS } from '../../../benchmarks/nb201/types';
import { BN_EPS } from '../../../trainer/nb201/forward';
import { fixedEdgeName } from '../../../trainer/nb201/model';
import { Nb201GroupNetwork } from './nb201-preset';

type Sym = tfl.SymbolicTensor;

/** A tfjs-layers model computing `net.forward(x, false)`. */
export function nb201ToLayersModel(net: Nb201GroupNetwork): tfl.LayersModel {
  const { preset } = net;
  const input = tfl.input({ shape: [...preset.inputShape] });
  const weights: Array<{ layer: tfl.layers.Layer; values: tf.Tensor[] }> = [];
  const bn = (x: Sym, name: string): Sym => {
    const layer = tfl.layers.batchNormalization({ epsilon: BN_EPS, momentum: 0.9, name });
    weights.push({ layer, values: ['gamma', 'beta', 'runMean', 'runVar'].map((s) => net.variable(`${name}.${s}`)) });
    return layer.apply(x) as Sym;
  };
  const conv = (x: Sym, name: string, stride: 1 | 2): Sym => {
    const w = net.variable(`${name}.w`);
    const [k, , , cout] = w.shape;
    const p = (k - 1) >> 1;
    const padded = p > 0 ? (tfl.layers.zeroPadding2d({ padding: [[p, p], [p, p]], name: `${name}.pad` }).apply(x) as Sym) : x;
    const layer = tfl.layers.conv2d({ filters: cout, kernelSize: k, strides: stride, padding: 'valid', useBias: false, name });
    weights.push({ layer, values: [w] });
    return layer.apply(padded) as Sym;
  };
  const relu = (x: Sym): Sym => tfl.layers.reLU().apply(x) as Sym;
  const reluConvBn = (x: Sym, name: string, stride: 1 | 2): Sym => bn(conv(relu(x), name, stride), `${name}.bn`);
  const add = (xs: Sym[], name: string): Sym => (xs.length === 1 ? xs[0] : (tfl.layers.add({ name }).apply(xs) as Sym));
  const zeros = (x: Sym, name: string): Sym => {
    const c = x.shape[3] as number;
    const layer = tfl.layers.conv2d({ filters: c, kernelSize: 1, useBias: false, trainable: false, name });
    weights.push({ layer, values: [tf.zeros([1, 1, c, c])] });
    return layer.apply(x) as Sym;
  };

  let h = bn(conv(input, 'stem', 1), 'stem.bn');
  for (let s = 0; s < 3; s++) {
    if (s > 0) {
      const main = reluConvBn(reluConvBn(h, `red${s}.a`, 2), `red${s}.b`, 1);
      const pooled = tfl.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: 'valid', name: `red${s}.pool` }).apply(h) as Sym;
      h = add([main, conv(pooled, `red${s}.short`, 1)], `red${s}.add`);
    }
    for (let c = 0; c < preset.cellsPerStage; c++) {
      const nodes: Sym[] = [h];
      let e = 0;
      for (let node = 1; node <= 3; node++) {
        const terms: Sym[] = [];
        for (let j = 0; j < node; j++, e++) {
          const src = nodes[NB201_EDGE_SOURCE[e]];
          const op = NB201_OPS[preset.ops[e]];
          const name = fixedEdgeName(s, c, e);
          if (op === 'none') continue;
          if (op === 'skip_connect') terms.push(src);
          else if (op === 'avg_pool_3x3') terms.push(tfl.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same', name: `${name}.pool` }).apply(src) as Sym);
          else terms.push(reluConvBn(src, name, 1));
        }
        nodes.push(terms.length === 0 ? zeros(h, `s${s}.c${c}.zero${node}`) : add(terms, `s${s}.c${c}.n${node}`));
      }
      h = nodes[3];
    }
  }
  h = relu(bn(h, 'lastact.bn'));
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(h) as Sym;
  const dense = tfl.layers.dense({ units: preset.numClasses, name: 'classifier' });
  const logits = dense.apply(pooled) as Sym;
  weights.push({ layer: dense, values: [net.variable('classifier.w'), net.variable('classifier.b')] });
  const model = tfl.model({ inputs: input, outputs: logits, name: 'conet_nb201' });
  for (const { layer, values } of weights) layer.setWeights(values);
  return model;
}
