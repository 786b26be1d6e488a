/**
 * Inference forward passes of latency units (src/search/spaces/cost/latency.ts) with TensorFlow.js, on whatever
 * backend is active: NHWC, batch 1, random weights (latency does not depend on their values), BatchNorm in inference
 * form (running statistics, tf.batchNorm). Method-free: a unit says all the shapes it needs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LatencyActivation, LatencyUnit, Shape, layerCost } from '../../search/spaces/cost';

/** A unit (or a chain of units) with its weights allocated: `forward` is what one timed run executes. */
export interface BuiltForward {
  readonly input: Shape;
  forward(x: tf.Tensor4D): tf.Tensor;
  dispose(): void;
}

type Pair = number | readonly [number, number];
const pair = (p: Pair | undefined, fallback: number): [number, number] => (p === undefined ? [fallback, fallback] : typeof p === 'number' ? [p, p] : [p[0], p[1]]);

class Weights {
  readonly all: tf.Tensor[] = [];
  private seed = 1;
  t<T extends tf.Tensor>(x: T): T {
    this.all.push(x);
    return x;
  }
  normal(shape: number[]): tf.Tensor {
    return this.t(tf.randomNormal(shape, 0, 0.1, 'float32', this.seed++));
  }
  conv(k: [number, number], cin: number, cout: number): tf.Tensor4D {
    return this.normal([k[0], k[1], cin, cout]) as tf.Tensor4D;
  }
  bn(c: number): (x: tf.Tensor4D) => tf.Tensor4D {
    const mean = this.normal([c]) as tf.Tensor1D;
    const variance = this.t(tf.tidy(() => tf.add(tf.abs(tf.randomNormal([c], 1, 0.1, 'float32', this.seed++)), 0.5))) as tf.Tensor1D;
    const offset = this.normal([c]) as tf.Tensor1D;
    const scale = this.normal([c]) as tf.Tensor1D;
    return (x) => tf.batchNorm(x, mean, variance, offset, scale, 1e-5);
  }
  dispose(): void {
    tf.dispose(this.all);
  }
}

function act(a: LatencyActivation): (x: tf.Tensor4D) => tf.Tensor4D {
  switch (a) {
    case 'relu':
      return (x) => tf.relu(x);
    case 'relu6':
      return (x) => tf.relu6(x);
    case 'swish':
      return (x) => tf.mul(x, tf.sigmoid(x));
    case 'none':
      return (x) => x;
  }
}

const pad = (k: number): [number, number][] => {
  const p = Math.floor(k / 2);
  return [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ];
};

/** conv with explicit symmetric padding k // 2 (PyTorch's), grouped = depthwise when groups == cin == cout. */
function convFn(w: Weights, cin: number, cout: number, kernel: Pair, stride: Pair, padding: Pair | undefined, groups: number, dilation: Pair = 1): (x: tf.Tensor4D) => tf.Tensor4D {
  const k = pair(kernel, 1);
  const s = pair(stride, 1);
  const p = pair(padding, 0);
  const d = pair(dilation, 1);
  const padSpec: [number, number][] = [
    [0, 0],
    [p[0], p[0]],
    [p[1], p[1]],
    [0, 0],
  ];
  const padded = (x: tf.Tensor4D): tf.Tensor4D => (p[0] || p[1] ? tf.pad(x, padSpec) : x);
  if (groups === 1) {
    const kw = w.conv(k, cin, cout);
    return (x) => tf.conv2d(padded(x), kw, s, 'valid', 'NHWC', d);
  }
  if (groups === cin && cout % cin === 0) {
    const kw = w.conv(k, cin, cout / cin);
    return (x) => tf.depthwiseConv2d(padded(x), kw, s, 'valid', 'NHWC', d);
  }
  // general grouped conv: split channels, one conv per group, concat
  const gi = cin / groups;
  const go = cout / groups;
  const ws = Array.from({ length: groups }, () => w.conv(k, gi, go));
  return (x) => {
    const parts = tf.split(padded(x), groups, 3);
    return tf.concat(parts.map((part, g) => tf.conv2d(part as tf.Tensor4D, ws[g], s, 'valid', 'NHWC', d)), 3) as tf.Tensor4D;
  };
}

/** The forward of one unit with fresh weights in `w`. */
function unitFn(u: LatencyUnit, w: Weights): (x: tf.Tensor4D) => tf.Tensor4D {
  switch (u.kind) {
    case 'conv': {
      const c = convFn(w, u.input.c, u.cout, u.kernel, u.stride, Math.floor(u.kernel / 2), u.groups);
      const bn = u.bn ? w.bn(u.cout) : null;
      const a = act(u.activation);
      return (x) => a(bn ? bn(c(x)) : c(x));
    }
    case 'mbconv': {
      const cin = u.input.c;
      const hid = u.expand * cin;
      const a = act(u.activation);
      const expand = u.expand !== 1 ? { c: convFn(w, cin, hid, 1, 1, 0, 1), bn: w.bn(hid) } : null;
      const dwW = w.conv([u.kernel, u.kernel], hid, 1);
      const dwBn = w.bn(hid);
      const se = u.se > 0 ? { w1: w.normal([hid, u.se]) as tf.Tensor2D, b1: w.normal([u.se]), w2: w.normal([u.se, hid]) as tf.Tensor2D, b2: w.normal([hid]) } : null;
      const proj = convFn(w, hid, u.cout, 1, 1, 0, 1);
      const projBn = w.bn(u.cout);
      return (x) => {
        let h = expand ? a(expand.bn(expand.c(x))) : x;
        h = a(dwBn(tf.depthwiseConv2d(tf.pad(h, pad(u.kernel)), dwW, u.stride, 'valid')));
        if (se) {
          const s1 = tf.add(tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, se.w1), se.b1);
          const z = tf.mul(s1, tf.sigmoid(s1));
          const s2 = tf.sigmoid(tf.add(tf.matMul(z as tf.Tensor2D, se.w2), se.b2));
          h = tf.mul(h, tf.reshape(s2, [-1, 1, 1, hid]));
        }
        const y = projBn(proj(h));
        return u.residual ? (tf.add(y, x) as tf.Tensor4D) : y;
      };
    }
    case 'resblock': {
      const c1 = convFn(w, u.input.c, u.cout, 3, u.stride, 1, 1);
      const b1 = w.bn(u.cout);
      const c2 = convFn(w, u.cout, u.cout, 3, 1, 1, 1);
      const b2 = w.bn(u.cout);
      const sc = u.projection ? { c: convFn(w, u.input.c, u.cout, 1, u.stride, 0, 1), bn: w.bn(u.cout) } : null;
      return (x) => {
        const y = b2(c2(tf.relu(b1(c1(x)))));
        return tf.relu(tf.add(y, sc ? sc.bn(sc.c(x)) : x)) as tf.Tensor4D;
      };
    }
    case 'classifier': {
      const fc = w.normal([u.input.c, u.classes]) as tf.Tensor2D;
      const b = w.normal([u.classes]);
      return (x) => tf.reshape(tf.add(tf.matMul(tf.mean(x, [1, 2]) as tf.Tensor2D, fc), b), [-1, 1, 1, u.classes]);
    }
    case 'layer':
      return layerFn(u.spec, u.input, w);
  }
}

function layerFn(spec: Extract<LatencyUnit, { kind: 'layer' }>['spec'], input: Shape, w: Weights): (x: tf.Tensor4D) => tf.Tensor4D {
  switch (spec.kind) {
    case 'conv2d': {
      const c = convFn(w, spec.inChannels, spec.outChannels, spec.kernel, spec.stride ?? 1, spec.padding, spec.groups ?? 1, spec.dilation ?? 1);
      const b = spec.bias ? w.normal([spec.outChannels]) : null;
      return (x) => (b ? tf.add(c(x), b) : c(x));
    }
    case 'batchnorm2d':
      return w.bn(spec.channels);
    case 'linear': {
      const m = w.normal([spec.inFeatures, spec.outFeatures]) as tf.Tensor2D;
      const b = spec.bias === false ? null : w.normal([spec.outFeatures]);
      return (x) => {
        const y = tf.matMul(tf.reshape(x, [1, spec.inFeatures]) as tf.Tensor2D, m);
        return tf.reshape(b ? tf.add(y, b) : y, [1, 1, 1, spec.outFeatures]);
      };
    }
    case 'avgpool2d':
    case 'maxpool2d': {
      const k = pair(spec.kernel, 1);
      const s = pair(spec.stride ?? spec.kernel, 1);
      const p = pair(spec.padding, 0);
      const padSpec: [number, number][] = [
        [0, 0],
        [p[0], p[0]],
        [p[1], p[1]],
        [0, 0],
      ];
      const pool = spec.kind === 'avgpool2d' ? tf.avgPool : tf.maxPool;
      return (x) => pool(p[0] || p[1] ? tf.pad(x, padSpec) : x, k, s, 'valid');
    }
    case 'globalavgpool':
      return (x) => tf.mean(x, [1, 2], true);
    case 'relu':
      return (x) => tf.relu(x);
    case 'add':
      return (x) => {
        let y = x;
        for (let i = 1; i < spec.inputs; i++) y = tf.add(y, x);
        return y;
      };
    case 'zero':
      return (x) => tf.zerosLike(x);
    case 'identity':
    case 'flatten': {
      const out = layerCost(spec, input).output;
      return (x) => tf.reshape(x, [1, out.h, out.w, out.c]);
    }
  }
}

/** Allocates the weights of a chain of units (one unit = one block; the whole list = a whole network). */
export function buildForward(units: readonly LatencyUnit[]): BuiltForward {
  if (units.length === 0) throw new RangeError('buildForward needs at least one unit');
  const w = new Weights();
  const fns = units.map((u) => unitFn(u, w));
  return {
    input: units[0].input,
    forward: (x) => fns.reduce((h, f) => f(h), x),
    dispose: () => w.dispose(),
  };
}
