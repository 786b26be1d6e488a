/**
 * Training pieces for NB201 networks and supernets (any TrainableNetwork): SGD with momentum (optionally Nesterov) and coupled L2 weight decay as in
 * PyTorch's torch.optim.SGD, a cosine learning-rate schedule with linear warm-up, label-smoothed cross-entropy,
 * evaluation with BN in eval mode, and the serialisable state (weights, momentum buffers, BN running statistics).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch, BatchStream } from '../../datasets/pipeline';
import type { NamedVariable, TrainableNetwork } from './network';

export interface SgdOptions {
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
}

export interface Schedule {
  baseLr: number;
  /** Final learning rate of the cosine (eta_min). */
  minLr: number;
  totalSteps: number;
  warmupSteps: number;
}

/**
 * Learning rate of optimiser step `step` (0-based): linear warm-up lr*(step+1)/warmup over the first warmupSteps,
 * then cosine annealing eta_min + (lr - eta_min)(1 + cos(pi t / T)) / 2 (Loshchilov & Hutter 2017, Eq. 5) over the rest.
 */
export function learningRate(step: number, s: Schedule): number {
  if (step < s.warmupSteps) return (s.baseLr * (step + 1)) / s.warmupSteps;
  const T = Math.max(1, s.totalSteps - s.warmupSteps);
  const t = Math.min(T, step - s.warmupSteps);
  return s.minLr + 0.5 * (s.baseLr - s.minLr) * (1 + Math.cos((Math.PI * t) / T));
}

/**
 * torch.optim.SGD: d = g + wd p; buf = m buf + d; d = nesterov ? d + m buf : buf; p -= lr d. Only the network's
 * active parameters are updated (a supernet's sampled path), as PyTorch skips parameters without a gradient; a
 * momentum buffer is created the first time its parameter is updated.
 */
export class Sgd {
  private readonly momentum = new Map<string, tf.Variable>();

  constructor(
    private readonly net: TrainableNetwork,
    readonly options: SgdOptions,
  ) {
    for (const p of net.activeParams()) this.buffer(p);
  }

  /** Momentum buffers by parameter name (those created so far). */
  get buffers(): ReadonlyMap<string, tf.Variable> {
    return this.momentum;
  }

  private buffer(p: NamedVariable): tf.Variable {
    let b = this.momentum.get(p.name);
    if (!b) {
      b = tf.variable(tf.zerosLike(p.variable), false, `${p.variable.name}.momentum`);
      this.momentum.set(p.name, b);
    }
    return b;
  }

  /**
   * One step on a batch: forward (BN in training mode, running statistics updated), backward, update. Returns the
   * mean loss. With microBatch < batch size the gradient is accumulated over consecutive chunks of at most
   * microBatch images (each weighted by its share of the batch), so a large batch fits the wasm heap; BN then
   * normalises each chunk with its own statistics ("ghost" batch norm) and updates the running statistics per chunk.
   */
  step(batch: Pick<Batch, 'x' | 'y' | 'shape'>, lr: number, labelSmoothing: number, microBatch = batch.shape[0]): number {
    const { momentum: m, weightDecay: wd, nesterov } = this.options;
    const active = this.net.activeParams();
    const vars = active.map((p) => p.variable);
    const numClasses = this.net.numClasses;
    const [n, h, w, c] = batch.shape;
    const chunk = Math.max(1, Math.min(n, Math.floor(microBatch)));
    const size = h * w * c;
    let grads: Array<tf.Tensor | null> | null = null;
    let loss = 0;
    try {
      for (let start = 0; start < n; start += chunk) {
        const k = Math.min(chunk, n - start);
        const share = k / n;
        const out = tf.tidy(() => {
          const x = tf.tensor4d(batch.x.subarray(start * size, (start + k) * size), [k, h, w, c]);
          const onehot = tf.oneHot(tf.tensor1d(batch.y.subarray(start, start + k), 'int32'), numClasses);
          const r = tf.variableGrads(() => tf.mul(crossEntropy(onehot, this.net.forward(x, true), labelSmoothing), share) as tf.Scalar, vars);
          // a parameter the loss does not depend on (an edge whose node feeds nothing) gets no gradient: like
          // PyTorch's SGD with grad None, it is neither decayed nor moved
          const sums: Record<string, tf.Tensor> = {};
          vars.forEach((v, i) => {
            const g = r.grads[v.name];
            const prev = grads === null ? null : grads[i];
            if (g) sums[i] = prev === null ? g : tf.add(prev, g);
          });
          return { value: r.value, sums };
        });
        loss += out.value.dataSync()[0];
        out.value.dispose();
        const next = vars.map((_, i) => out.sums[i] ?? (grads === null ? null : grads[i]));
        if (grads !== null) tf.dispose(grads.filter((t): t is tf.Tensor => t !== null && !next.includes(t)));
        grads = next;
      }
      const g = grads as Array<tf.Tensor | null> | null;
      if (g === null) throw new Error('empty batch');
      const bufs = active.map((p, i) => (g[i] === null ? null : this.buffer(p)));
      tf.tidy(() => {
        vars.forEach((p, i) => {
          const buf = bufs[i];
          const gi = g[i];
          if (buf === null || gi === null) return;
          const d = wd > 0 ? tf.add(gi, tf.mul(p, wd)) : gi;
          const newBuf = tf.add(tf.mul(buf, m), d);
          buf.assign(newBuf);
          const dir = nesterov ? tf.add(d, tf.mul(newBuf, m)) : newBuf;
          p.assign(tf.sub(p, tf.mul(dir, lr)));
        });
      });
    } finally {
      if (grads !== null) tf.dispose((grads as Array<tf.Tensor | null>).filter((t): t is tf.Tensor => t !== null));
    }
    return loss;
  }

  /** Momentum buffer values by parameter name. */
  exportBuffers(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const [name, b] of this.momentum) out[name] = Float32Array.from(b.dataSync());
    return out;
  }

  /** Replaces the momentum buffers with `values` (parameter name -> values); throws on an unknown or mis-sized one. */
  importBuffers(values: Record<string, Float32Array>): void {
    const params = new Map(this.net.params.map((p) => [p.name, p]));
    for (const [name, a] of Object.entries(values)) {
      const p = params.get(name);
      if (!p || a.length !== p.variable.size) throw new RangeError(`momentum buffer ${name} has no parameter of its size`);
    }
    for (const [name, a] of Object.entries(values)) {
      const p = params.get(name) as NamedVariable;
      this.buffer(p).assign(tf.tensor(a, p.variable.shape, 'float32'));
    }
  }

  dispose(): void {
    for (const b of this.momentum.values()) b.dispose();
    this.momentum.clear();
  }
}

/** Mean softmax cross-entropy with label smoothing eps: targets (1 - eps) onehot + eps / K (Szegedy et al. 2016, Sec. 7). */
export function crossEntropy(onehot: tf.Tensor2D | tf.Tensor, logits: tf.Tensor2D, labelSmoothing: number): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(onehot, logits, undefined, labelSmoothing, tf.Reduction.MEAN) as tf.Scalar;
}

export interface EvalResult {
  accuracy: number;
  /** Mean cross-entropy without label smoothing. */
  loss: number;
  images: number;
}

/** Accuracy and loss over one unshuffled pass of `stream` with BN in eval mode (running statistics). */
export async function evaluate(net: TrainableNetwork, stream: BatchStream, boundary?: () => Promise<void>): Promise<EvalResult> {
  let correct = 0;
  let lossSum = 0;
  let n = 0;
  for (const b of stream.epoch(0)) {
    if (boundary) await boundary();
    const [c, l] = tf.tidy(() => {
      const logits = net.forward(tf.tensor4d(b.x, b.shape), false);
      const labels = tf.tensor1d(b.y, 'int32');
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'));
      const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, net.numClasses), logits, undefined, 0, tf.Reduction.SUM);
      return [hits.dataSync()[0], loss.dataSync()[0]];
    });
    correct += c;
    lossSum += l;
    n += b.shape[0];
  }
  return { accuracy: n ? correct / n : 0, loss: n ? lossSum / n : 0, images: n };
}

/** Every tensor of the training state, keyed by name: `p:` parameters, `b:` BN running statistics, `m:` momentum buffers. */
export function exportState(net: TrainableNetwork, sgd: Sgd): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const p of net.params) out[`p:${p.name}`] = Float32Array.from(p.variable.dataSync());
  for (const b of net.buffers) out[`b:${b.name}`] = Float32Array.from(b.variable.dataSync());
  for (const [name, m] of Object.entries(sgd.exportBuffers())) out[`m:${name}`] = m;
  return out;
}

/**
 * Restores exportState's output; throws a RangeError naming the first missing or mis-sized tensor (every parameter,
 * buffer and existing momentum buffer must be present; other momentum buffers are restored where the file has them).
 */
export function importState(net: TrainableNetwork, sgd: Sgd, arrays: Record<string, ArrayLike<number>>): void {
  const check = (key: string, v: tf.Variable): Float32Array => {
    const a = arrays[key];
    if (!(a instanceof Float32Array) || a.length !== v.size) throw new RangeError(`state tensor ${key} is missing or has the wrong size`);
    return a;
  };
  // validate everything before assigning anything
  const values = [...net.params.map((p) => [p.variable, check(`p:${p.name}`, p.variable)] as const), ...net.buffers.map((b) => [b.variable, check(`b:${b.name}`, b.variable)] as const)];
  const momentum: Record<string, Float32Array> = {};
  for (const [k, a] of Object.entries(arrays)) if (k.startsWith('m:')) momentum[k.slice(2)] = a as Float32Array;
  for (const name of sgd.buffers.keys()) if (!momentum[name]) throw new RangeError(`state tensor m:${name} is missing or has the wrong size`);
  for (const p of net.params) if (momentum[p.name]) check(`m:${p.name}`, p.variable);
  for (const [v, a] of values) v.assign(tf.tensor(a, v.shape, 'float32'));
  sgd.importBuffers(momentum);
}
