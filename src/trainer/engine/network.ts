/**
 * What the training loop needs of a network (fixed cell network, supernet with a selected path, elastic MBConv
 * supernet): named trainable parameters, named buffers (BN running statistics) and a forward pass. Plain
 * TensorFlow.js: no Nest, no database.
 */
import type * as tf from '@tensorflow/tfjs-core';

/** A parameter or buffer with a stable name (checkpoint key). */
export interface NamedVariable {
  name: string;
  variable: tf.Variable;
}

export interface TrainableNetwork {
  readonly numClasses: number;
  /** Every trainable parameter the network owns (for a supernet: of every path). */
  readonly params: readonly NamedVariable[];
  /** Every non-trainable buffer (BN running statistics). */
  readonly buffers: readonly NamedVariable[];
  /**
   * Parameters the next forward pass uses (a supernet's selected path); gradients are taken and updates applied
   * for these only, as PyTorch's SGD skips parameters whose gradient is None. Fixed networks return `params`.
   */
  activeParams(): readonly NamedVariable[];
  /**
   * Logits for a NHWC batch. training=true: BN normalises with batch statistics and, when updateStats, updates the
   * running statistics as running = (1 - m) running + m batch with m = bnMomentum; training=false: running statistics.
   */
  forward(x: tf.Tensor4D, training: boolean, updateStats?: boolean, bnMomentum?: number): tf.Tensor2D;
}
