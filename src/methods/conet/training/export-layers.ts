// Export of a trained CONet ResNet preset as a TensorFlow.js LayersModel (the artefact format of the job): the
// same graph in tfjs-layers with the trained weights copied in. Convolutions pad symmetrically ((k-1)/2 on every
// side, as the training forward pass and PyTorch do) through an explicit ZeroPadding2D + 'valid' conv, because
// tfjs 'same' padding is asymmetric at stride 2. BatchNorm uses the running statistics (inference).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { BN_EPS } from '../../../trainer/nb201/forward';
import { ResNetNetwork } from './resnet-preset';

/** A tfjs-layers model computing `net.forward(x, false)`. */
export function toLayersModel(net: ResNetNetwork): tfl.LayersModel {
  const { preset } = net;
  const input = tfl.input({ shape: [...preset.inputShape] });
  const weights: Array<{ layer: tfl.layers.Layer; values: tf.Tensor[] }> = [];
  const convBn = (x: tfl.SymbolicTensor, name: string, stride: 1 | 2): tfl.SymbolicTensor => {
    const w = net.variable(`${name}.w`);
    const [k, , , cout] = w.shape;
    const p = (k - 1) >> 1;
    const padded = p > 0 ? (tfl.layers.zeroPadding2d({ padding: [[p, p], [p, p]], name: `${name}.pad` }).apply(x) as tfl.SymbolicTensor) : x;
    const conv = tfl.layers.conv2d({ filters: cout, kernelSize: k, strides: stride, padding: 'valid', useBias: false, name });
    const bn = tfl.layers.batchNormalization({ epsilon: BN_EPS, momentum: 0.9, name: `${name}.bn` });
    const y = bn.apply(conv.apply(padded)) as tfl.SymbolicTensor;
    weights.push({ layer: conv, values: [w] });
    weights.push({ layer: bn, values: ['gamma', 'beta', 'runMean', 'runVar'].map((s) => net.variable(`${name}.bn.${s}`)) });
    return y;
  };
  const relu = (x: tfl.SymbolicTensor): tfl.SymbolicTensor => tfl.layers.reLU().apply(x) as tfl.SymbolicTensor;
  let h = relu(convBn(input, 'stem', 1));
  for (let s = 0; s < 3; s++) {
    for (let b = 0; b < preset.blocksPerStage[s]; b++) {
      const stride: 1 | 2 = s > 0 && b === 0 ? 2 : 1;
      const mid = relu(convBn(h, `s${s}.b${b}.conv1`, stride));
      const main = convBn(mid, `s${s}.b${b}.conv2`, 1);
      const short = stride === 2 ? convBn(h, `s${s}.b${b}.proj`, 2) : h;
      h = relu(tfl.layers.add({ name: `s${s}.b${b}.add` }).apply([main, short]) as tfl.SymbolicTensor);
    }
  }
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'pool' }).apply(h) as tfl.SymbolicTensor;
  const dense = tfl.layers.dense({ units: preset.numClasses, name: 'classifier' });
  const logits = dense.apply(pooled) as tfl.SymbolicTensor;
  weights.push({ layer: dense, values: [net.variable('classifier.w'), net.variable('classifier.b')] });
  const model = tfl.model({ inputs: input, outputs: logits, name: 'conet_resnet' });
  for (const { layer, values } of weights) layer.setWeights(values);
  return model;
}
