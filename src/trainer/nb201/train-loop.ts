/**
 * Training pieces for the NB201 network: SGD with momentum (optionally Nesterov) and coupled L2 weight decay as in
 * PyTorch's torch.optim.SGD, a cosine learning-rate schedule with linear warm-up, label-smoothed cross-entropy,
 * evaluation with BN in eval mode, and the serialisable state (weights, momentum buffers, BN running statistics).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch, BatchStream } from '../../datasets/pipeline';
import type { Nb201Network } from './model';

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

/** torch.optim.SGD: d = g + wd p; buf = m buf + d; d = nesterov ? d + m buf : buf; p -= lr d. */
export class Sgd {
  readonly buffers: tf.Variable[];

  constructor(
    private readonly net: Nb201Network,
    readonly options: SgdOptions,
  ) {
    this.buffers = net.params.map((p) => tf.variable(tf.zerosLike(p.variable), false, `${p.variable.name}.momentum`));
  }

  /**
   * One step on a batch: forward (BN in training mode, running statistics updated), backward, update. Returns the
   * mean loss. With microBatch < batch size the gradient is accumulated over consecutive chunks of at most
   * microBatch images (each weighted by its share of the batch), so a large batch fits the wasm heap; BN then
   * normalises each chunk with its own statistics ("ghost" batch norm) and updates the running statistics per chunk.
   */
  step(batch: Pick<Batch, 'x' | 'y' | 'shape'>, lr: number, labelSmoothing: number, microBatch = batch.shape[0]): number {
    const { momentum: m, weightDecay: wd, nesterov } = this.options;
    const vars = this.net.params.map((p) => p.variable);
    const numClasses = this.net.config.numClasses;
    const [n, h, w, c] = batch.shape;
    const chunk = Math.max(1, Math.min(n, Math.floor(microBatch)));
    const size = h * w * c;
    let grads: tf.Tensor[] | null = null;
    let loss = 0;
    try {
      for (let start = 0; start < n; start += chunk) {
        const k = Math.min(chunk, n - start);
        const share = k / n;
        const out = tf.tidy(() => {
          const x = tf.tensor4d(batch.x.subarray(start * size, (start + k) * size), [k, h, w, c]);
          const onehot = tf.oneHot(tf.tensor1d(batch.y.subarray(start, start + k), 'int32'), numClasses);
          const r = tf.variableGrads(() => tf.mul(crossEntropy(onehot, this.net.forward(x, true), labelSmoothing), share) as tf.Scalar, vars);
          const gs = vars.map((v) => {
            const g = r.grads[v.name];
            if (!g) throw new Error(`no gradient for ${v.name}`);
            return grads === null ? g : tf.add(grads[vars.indexOf(v)], g);
          });
          return { value: r.value, gs };
        });
        loss += out.value.dataSync()[0];
        out.value.dispose();
        if (grads !== null) tf.dispose(grads);
        grads = out.gs;
      }
      const g = grads as tf.Tensor[] | null;
      if (g === null) throw new Error('empty batch');
      tf.tidy(() => {
        vars.forEach((p, i) => {
          const buf = this.buffers[i];
          const d = wd > 0 ? tf.add(g[i], tf.mul(p, wd)) : g[i];
          const newBuf = tf.add(tf.mul(buf, m), d);
          buf.assign(newBuf);
          const dir = nesterov ? tf.add(d, tf.mul(newBuf, m)) : newBuf;
          p.assign(tf.sub(p, tf.mul(dir, lr)));
        });
      });
    } finally {
      if (grads !== null) tf.dispose(grads);
    }
    return loss;
  }

  dispose(): void {
    for (const b of this.buffers) b.dispose();
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
export async function evaluate(net: Nb201Network, stream: BatchStream, boundary?: () => Promise<void>): Promise<EvalResult> {
  let correct = 0;
  let lossSum = 0;
  let n = 0;
  for (const b of stream.epoch(0)) {
    if (boundary) await boundary();
    const [c, l] = tf.tidy(() => {
      const logits = net.forward(tf.tensor4d(b.x, b.shape), false);
      const labels = tf.tensor1d(b.y, 'int32');
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32'));
      const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, net.config.numClasses), logits, undefined, 0, tf.Reduction.SUM);
      return [hits.dataSync()[0], loss.dataSync()[0]];
    });
    correct += c;
    lossSum += l;
    n += b.shape[0];
  }
  return { accuracy: n ? correct / n : 0, loss: n ? lossSum / n : 0, images: n };
}

/** Every tensor of the training state, keyed by name: `p:` parameters, `b:` BN running statistics, `m:` momentum buffers. */
export function exportState(net: Nb201Network, sgd: Sgd): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const p of net.params) out[`p:${p.name}`] = Float32Array.from(p.variable.dataSync());
  for (const b of net.buffers) out[`b:${b.name}`] = Float32Array.from(b.variable.dataSync());
  net.params.forEach((p, i) => (out[`m:${p.name}`] = Float32Array.from(sgd.buffers[i].dataSync())));
  return out;
}

/** Restores exportState's output; throws a RangeError naming the first missing or mis-sized tensor. */
export function importState(net: Nb201Network, sgd: Sgd, arrays: Record<string, ArrayLike<number>>): void {
  const set = (key: string, v: tf.Variable): void => {
    const a = arrays[key];
    if (!a || !(a instanceof Float32Array) || a.length !== v.size) throw new RangeError(`state tensor ${key} is missing or has the wrong size`);
    v.assign(tf.tensor(a, v.shape, 'float32'));
  };
  // validate everything before assigning anything
  for (const p of net.params) for (const k of [`p:${p.name}`, `m:${p.name}`]) if (!(arrays[k] instanceof Float32Array) || arrays[k].length !== p.variable.size) throw new RangeError(`state tensor ${k} is missing or has the wrong size`);
  for (const b of net.buffers) if (!(arrays[`b:${b.name}`] instanceof Float32Array) || arrays[`b:${b.name}`].length !== b.variable.size) throw new RangeError(`state tensor b:${b.name} is missing or has the wrong size`);
  for (const p of net.params) set(`p:${p.name}`, p.variable);
  for (const b of net.buffers) set(`b:${b.name}`, b.variable);
  net.params.forEach((p, i) => set(`m:${p.name}`, sgd.buffers[i]));
}
