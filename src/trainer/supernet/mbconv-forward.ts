/**
 * Forward pass of an elastic MBConv network (OFA, Cai et al. 2020; MobileNetV2 inverted residual, Sandler et al.
 * 2018), shared by the supernet and its extracted sub-networks: weights come from a lookup and are sliced to the
 * configuration (masked.ts), which is the identity when the weights already have the configuration's shapes.
 * Block: expand 1x1 conv + BN + act, depthwise k x k conv (stride) + BN + act, project 1x1 conv + BN (linear
 * bottleneck), identity shortcut when stride 1 and cin == cout. The expand conv is kept even at expand ratio 1.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BnMode, MaskedBatchNorm, WeightLookup, elasticDepthwise, maskedConv2d } from './masked';
import type { MbconvActivation, MbconvConfig, MbconvSpace } from '../../search/spaces/mbconv';
import { BlockPlan, blockPlans } from './mbconv-weights';

export type Activation = (x: tf.Tensor4D) => tf.Tensor4D;

/** ReLU6 (MobileNetV2) or swish x * sigmoid(x) (Ramachandran et al. 2017; used by OFA's later stages / EfficientNet). */
export function activation(name: MbconvActivation): Activation {
  return name === 'relu6' ? (x) => tf.relu6(x) : (x) => tf.mul(x, tf.sigmoid(x));
}

/** One elastic MBConv block (channel-masked expand / project convs, centre-cropped depthwise kernel). */
export function mbconvBlock(x: tf.Tensor4D, p: BlockPlan, v: WeightLookup, bn: MaskedBatchNorm, act: Activation): tf.Tensor4D {
  let h = act(bn.apply(maskedConv2d(x, v(`${p.name}.expand.w`) as tf.Tensor4D, p.hidden, 1), `${p.name}.expand.bn`));
  h = act(bn.apply(elasticDepthwise(h, v(`${p.name}.dw.w`) as tf.Tensor4D, p.kernel, p.stride), `${p.name}.dw.bn`));
  h = bn.apply(maskedConv2d(h, v(`${p.name}.project.w`) as tf.Tensor4D, p.cout, 1), `${p.name}.project.bn`);
  return p.residual ? tf.add(x, h) : h;
}

/** Elastic depth (OFA Sec. 3.2): a stage given its first d block plans returns the output of its d-th block. */
export function elasticStage(x: tf.Tensor4D, plans: readonly BlockPlan[], v: WeightLookup, bn: MaskedBatchNorm, act: Activation): tf.Tensor4D {
  return plans.reduce((h, p) => mbconvBlock(h, p, v, bn, act), x);
}

/** Logits of the sub-network `config` for a NHWC batch; running statistics are updated after the pass. */
export function mbconvLogits(x: tf.Tensor4D, space: MbconvSpace, config: MbconvConfig, v: WeightLookup, mode: BnMode): tf.Tensor2D {
  const bn = new MaskedBatchNorm(v, mode);
  const act = activation(space.activation);
  let h = act(bn.apply(maskedConv2d(x, v('stem.w') as tf.Tensor4D, space.stemWidth, space.stemStride), 'stem.bn'));
  for (const stage of blockPlans(space, config)) h = elasticStage(h, stage, v, bn, act);
  h = act(bn.apply(maskedConv2d(h, v('head.w') as tf.Tensor4D, space.headWidth, 1), 'head.bn'));
  const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
  const logits = tf.add(tf.matMul(pooled, v('classifier.w') as tf.Tensor2D), v('classifier.b')) as tf.Tensor2D;
  bn.flush();
  return logits;
}
