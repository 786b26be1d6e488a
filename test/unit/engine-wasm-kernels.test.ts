// Property tests of the wasm gradient kernels (src/trainer/engine/wasm-kernels): on seeded random shapes the
// gradients computed on the `wasm` backend (with this project's kernels) agree with the pure-JS `cpu` backend,
// and, where tfjs' gradients or the cpu backend cannot take the case (dilation > 1, pads beyond the filter), the
// kernels agree with a float64 reference loop written from the definition. Error measure:
// max_i |got_i - ref_i| / max(1, max_j |ref_j|) <= 1e-4.  Reproduce a failure with ENGINE_TEST_SEED=<seed>.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../../src/trainer/engine/backend';
import {
  conv2dBackpropFilterWasm,
  conv2dBackpropInputWasm,
  depthwiseBackpropFilterWasm,
  depthwiseBackpropInputWasm,
} from '../../src/trainer/engine/wasm-kernels';
import { Rng } from '../../src/common/rng';
import { fusedBatchNormAvailable, trainingBatchNorm } from '../../src/trainer/engine/batch-norm';
import { relErr } from '../support/rel-err';

const SEED = Number(process.env.ENGINE_TEST_SEED ?? 20240611);
const CASES = 50;
const TOL = 1e-4;

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type Shape4 = [number, number, number, number];

/** Seeded uniform [0, 1) numbers from the project's RNG, so every case is reproducible. */
function rng(seed: number): () => number {
  const r = Rng.fromSeed(seed);
  return () => r.next();
}
const int = (r: () => number, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const normals = (r: () => number, n: number): Float32Array => {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return out;
};

interface ConvCase {
  x: Shape4;
  filter: Shape4;
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
}

function describeCase(c: ConvCase): string {
  return `x=[${c.x}] filter=[${c.filter}] strides=[${c.strides}] dilations=[${c.dilations}] pad=${JSON.stringify(c.pad)}`;
}

/** A random conv case; `depthwise` makes filter [KH, KW, C, CM]. Shapes are kept valid for `valid` padding. */
function randomCase(r: () => number, depthwise: boolean, opts: { dilation: boolean; explicitPads: boolean }): ConvCase {
  const d: [number, number] = opts.dilation ? [int(r, 1, 2), int(r, 1, 2)] : [1, 1];
  const strides: [number, number] = opts.dilation && (d[0] > 1 || d[1] > 1) ? [1, 1] : [pick(r, [1, 2]), pick(r, [1, 2])];
  const kh = int(r, 1, 5);
  const kw = int(r, 1, 5);
  const H = int(r, Math.max(3, (kh - 1) * d[0] + 1), 12);
  const W = int(r, Math.max(3, (kw - 1) * d[1] + 1), 12);
  const C = int(r, 1, 8);
  const out = depthwise ? int(r, 1, 3) : int(r, 1, 8);
  let pad: Pad = pick(r, ['same', 'valid'] as const);
  if (opts.explicitPads) {
    const e = (): number => int(r, 0, 6); // up to beyond the filter's reach, so some rows/columns get no gradient
    const kind = pick(r, ['same', 'valid', 'number', 'explicit'] as const);
    const p = int(r, 0, 2);
    // tfjs sizes a numeric pad with the filter height for both axes, so use it only with square effective filters.
    const square = (kh - 1) * d[0] === (kw - 1) * d[1];
    if (kind === 'explicit') pad = [[0, 0], [e(), e()], [e(), e()], [0, 0]];
    else if (kind === 'number') pad = square ? p : [[0, 0], [p, p], [p, p], [0, 0]];
    else pad = kind;
  }
  return { x: [int(r, 1, 4), H, W, C], filter: [kh, kw, C, out], strides, dilations: d, pad };
}

const info = (c: ConvCase, depthwise: boolean): tf.backend_util.Conv2DInfo =>
  tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, c.dilations, c.pad, undefined, depthwise);

/** Float64 reference from the definition: the (x, filter) taps of output (n, oh, ow, o). */
function forEachTap(
  ci: tf.backend_util.Conv2DInfo,
  depthwise: boolean,
  f: (xIdx: number, wIdx: number, yIdx: number) => void,
): void {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO } = ci;
  const { filterHeight: KH, filterWidth: KW } = ci;
  const CM = CO / C;
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * ci.strideHeight + kh * ci.dilationHeight - ci.padInfo.top;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * ci.strideWidth + kw * ci.dilationWidth - ci.padInfo.left;
            if (iw < 0 || iw >= W) continue;
            for (let c = 0; c < C; c++) {
              const xIdx = ((n * H + ih) * W + iw) * C + c;
              if (depthwise) {
                for (let m = 0; m < CM; m++) f(xIdx, ((kh * KW + kw) * C + c) * CM + m, ((n * OH + oh) * OW + ow) * CO + c * CM + m);
              } else {
                for (let o = 0; o < CO; o++) f(xIdx, ((kh * KW + kw) * C + c) * CO + o, ((n * OH + oh) * OW + ow) * CO + o);
              }
            }
          }
        }
}

function referenceGrads(ci: tf.backend_util.Conv2DInfo, depthwise: boolean, x: Float32Array, w: Float32Array, dy: Float32Array) {
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(w.length);
  forEachTap(ci, depthwise, (xi, wi, yi) => {
    dx[xi] += dy[yi] * w[wi];
    dw[wi] += dy[yi] * x[xi];
  });
  return { dx, dw };
}

async function gradsOn(backend: string, c: ConvCase, depthwise: boolean, x: Float32Array, w: Float32Array, dy: Float32Array) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const f = (xt: tf.Tensor, wt: tf.Tensor): tf.Tensor =>
      depthwise
        ? tf.depthwiseConv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, c.strides, c.pad as 'same')
        : tf.conv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, c.strides, c.pad as 'same');
    const outShape = info(c, depthwise).outShape;
    const [gx, gw] = tf.grads(f)([tf.tensor(x, c.x), tf.tensor(w, c.filter)], tf.tensor(dy, outShape));
    return { dx: gx.dataSync() as Float32Array, dw: gw.dataSync() as Float32Array };
  });
}

function wasmBackend(): BackendWasm {
  return tf.backend() as unknown as BackendWasm;
}

/** Runs one of the exported kernel cores on wasm and reads its result. */
function runCore(core: (b: BackendWasm) => tf.TensorInfo): Float32Array {
  return tf.tidy(() => tf.engine().makeTensorFromTensorInfo(core(wasmBackend())).dataSync() as Float32Array);
}

describe('wasm gradient kernels', () => {
  before(async () => {
    const choice = await selectBackend({ force: 'wasm' });
    assert.equal(choice.name, 'wasm');
  });

  for (const depthwise of [false, true]) {
    const op = depthwise ? 'depthwiseConv2d' : 'conv2d';
    test(`tf.grads(${op}) on wasm matches cpu on ${CASES} random shapes (strides 1|2, same|valid)`, async () => {
      const r = rng(SEED + (depthwise ? 1 : 0));
      for (let k = 0; k < CASES; k++) {
        const c = randomCase(r, depthwise, { dilation: false, explicitPads: k % 5 === 4 });
        const ci = info(c, depthwise);
        const x = normals(r, tf.util.sizeFromShape(c.x));
        const w = normals(r, tf.util.sizeFromShape(c.filter));
        const dy = normals(r, tf.util.sizeFromShape(ci.outShape));
        const got = await gradsOn('wasm', c, depthwise, x, w, dy);
        const ref = await gradsOn('cpu', c, depthwise, x, w, dy);
        const where = `seed ${SEED} case ${k}: ${describeCase(c)}`;
        assert.ok(relErr(got.dx, ref.dx) <= TOL, `dx ${relErr(got.dx, ref.dx)} > ${TOL} at ${where}`);
        assert.ok(relErr(got.dw, ref.dw) <= TOL, `dw ${relErr(got.dw, ref.dw)} > ${TOL} at ${where}`);
      }
      await tf.setBackend('wasm');
    });

    test(`${op} backprop kernels match a float64 reference with dilation 1|2 and explicit pads (${CASES} shapes)`, async () => {
      await tf.setBackend('wasm');
      const r = rng(SEED + 100 + (depthwise ? 1 : 0));
      for (let k = 0; k < CASES; k++) {
        const c = randomCase(r, depthwise, { dilation: true, explicitPads: true });
        const ci = info(c, depthwise);
        const x = normals(r, tf.util.sizeFromShape(c.x));
        const w = normals(r, tf.util.sizeFromShape(c.filter));
        const dy = normals(r, tf.util.sizeFromShape(ci.outShape));
        const ref = referenceGrads(ci, depthwise, x, w, dy);
        const gotDx = runCore((b) => {
          const [dyt, wt] = [tf.tensor(dy, ci.outShape), tf.tensor(w, c.filter)];
          return depthwise ? depthwiseBackpropInputWasm(b, dyt, wt, ci) : conv2dBackpropInputWasm(b, dyt, wt, ci);
        });
        const gotDw = runCore((b) => {
          const [xt, dyt] = [tf.tensor(x, c.x), tf.tensor(dy, ci.outShape)];
          return depthwise ? depthwiseBackpropFilterWasm(b, xt, dyt, ci) : conv2dBackpropFilterWasm(b, xt, dyt, ci);
        });
        const where = `seed ${SEED} case ${k}: ${describeCase(c)}`;
        assert.ok(relErr(gotDx, ref.dx) <= TOL, `dx ${relErr(gotDx, ref.dx)} > ${TOL} at ${where}`);
        assert.ok(relErr(gotDw, ref.dw) <= TOL, `dw ${relErr(gotDw, ref.dw)} > ${TOL} at ${where}`);
      }
    });
  }

  test(`tf.grads(conv2d) with 1x1 filters (pointwise path of Conv2DBackpropFilter) matches cpu on ${CASES} shapes`, async () => {
    const r = rng(SEED + 13);
    for (let k = 0; k < CASES; k++) {
      const s = pick(r, [1, 1, 2] as const);
      const c: ConvCase = { x: [int(r, 1, 4), int(r, 1, 9), int(r, 1, 9), int(r, 1, 24)], filter: [1, 1, 0, int(r, 1, 24)], strides: [s, s], dilations: [1, 1], pad: pick(r, ['same', 'valid'] as const) };
      c.filter[2] = c.x[3];
      const ci = info(c, false);
      const x = normals(r, tf.util.sizeFromShape(c.x));
      const w = normals(r, tf.util.sizeFromShape(c.filter));
      const dy = normals(r, tf.util.sizeFromShape(ci.outShape));
      const got = await gradsOn('wasm', c, false, x, w, dy);
      const ref = await gradsOn('cpu', c, false, x, w, dy);
      const where = `seed ${SEED} case ${k}: ${describeCase(c)}`;
      assert.ok(relErr(got.dx, ref.dx) <= TOL, `dx ${relErr(got.dx, ref.dx)} > ${TOL} at ${where}`);
      assert.ok(relErr(got.dw, ref.dw) <= TOL, `dw ${relErr(got.dw, ref.dw)} > ${TOL} at ${where}`);
    }
    await tf.setBackend('wasm');
  });

  test(`Tile on wasm (replaced) equals cpu exactly on ${CASES} random shapes, reps and dtypes`, async () => {
    const r = rng(SEED + 5);
    for (let k = 0; k < CASES; k++) {
      const rank = int(r, 0, 5);
      const shape = Array.from({ length: rank }, () => int(r, 1, 4));
      const reps = Array.from({ length: rank }, () => int(r, 1, 3));
      const dtype = pick(r, ['float32', 'int32', 'bool'] as const);
      const values = Array.from(normals(r, tf.util.sizeFromShape(shape)), (v) => (dtype === 'float32' ? v : Math.round(v * 3)));
      const run = async (backend: string): Promise<number[]> => {
        await tf.setBackend(backend);
        return tf.tidy(() => Array.from(tf.tile(tf.tensor(values, shape, dtype), reps).dataSync()));
      };
      const got = await run('wasm');
      assert.deepEqual(got, await run('cpu'), `seed ${SEED} case ${k}: tile ${dtype} [${shape}] by [${reps}]`);
    }
    await tf.setBackend('wasm');
  });

  test(`fused training BatchNorm on wasm matches the tfjs composition on cpu (y, mean, variance, dx, dgamma, dbeta; ${CASES} shapes)`, async () => {
    const r = rng(SEED + 11);
    for (let k = 0; k < CASES; k++) {
      const shape: Shape4 = [int(r, 1, 6), int(r, 1, 7), int(r, 1, 7), int(r, 1, 20)];
      const C = shape[3];
      // an offset and scale per case, so that the variance is not always ~1 (a one-pass variance would lose it)
      const offset = (r() - 0.5) * 20;
      const x = normals(r, tf.util.sizeFromShape(shape)).map((v) => v * (0.1 + r() * 3) + offset);
      const gamma = normals(r, C);
      const beta = normals(r, C);
      const dy = normals(r, tf.util.sizeFromShape(shape));
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() => {
          const xt = tf.tensor4d(x, shape);
          const [gt, bt] = [tf.tensor1d(gamma), tf.tensor1d(beta)];
          const bn = trainingBatchNorm(xt, gt, bt, 1e-5);
          const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor => trainingBatchNorm(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5).y;
          const [dx, dg, db] = tf.grads(f)([xt, gt, bt], tf.tensor4d(dy, shape));
          const read = (t: tf.Tensor): Float32Array => t.dataSync() as Float32Array;
          return { fused: fusedBatchNormAvailable(), y: read(bn.y), mean: read(bn.mean), variance: read(bn.variance), dx: read(dx), dg: read(dg), db: read(db) };
        });
      };
      const got = await run('wasm');
      const ref = await run('cpu');
      assert.ok(got.fused && !ref.fused, 'the fused kernel runs on wasm only');
      const where = `seed ${SEED} case ${k}: x=[${shape}] offset ${offset.toFixed(2)}`;
      for (const key of ['y', 'mean', 'variance', 'dx', 'dg', 'db'] as const) {
        // n = 1 pixel per channel: variance 0, the output is beta and dx is 0 up to rounding (1/sqrt(eps) amplifies it)
        const tol = key === 'dx' && shape[0] * shape[1] * shape[2] === 1 ? 1e-2 : TOL;
        assert.ok(relErr(got[key], ref[key]) <= tol, `${key} ${relErr(got[key], ref[key])} > ${tol} at ${where}`);
      }
    }
    await tf.setBackend('wasm');
  });

  test('fused BatchNorm frees every intermediate and works inside variableGrads', async () => {
    await tf.setBackend('wasm');
    const w = tf.variable(tf.randomNormal([3]));
    const run = (): void => {
      tf.tidy(() => {
        const x = tf.randomNormal([4, 5, 5, 3]);
        const { grads, value } = tf.variableGrads(() => tf.sum(tf.square(trainingBatchNorm(x as tf.Tensor4D, w as tf.Tensor1D, tf.zeros([3]) as tf.Tensor1D, 1e-5).y)) as tf.Scalar, [w]);
        value.dataSync();
        grads[w.name].dataSync();
      });
    };
    run();
    const before = { tensors: tf.memory().numTensors, data: tf.engine().backend.numDataIds() };
    for (let k = 0; k < 5; k++) run();
    assert.deepEqual({ tensors: tf.memory().numTensors, data: tf.engine().backend.numDataIds() }, before);
    w.dispose();
  });

  test('col2im Conv2DBackpropInput gives the same dx when it works in batch chunks (down to one image)', async () => {
    await tf.setBackend('wasm');
    const r = rng(SEED + 9);
    const c: ConvCase = { x: [5, 11, 9, 3], filter: [3, 2, 3, 4], strides: [2, 2], dilations: [1, 1], pad: 'same' };
    const ci = info(c, false);
    const dy = normals(r, tf.util.sizeFromShape(ci.outShape));
    const w = normals(r, tf.util.sizeFromShape(c.filter));
    const ref = referenceGrads(ci, false, new Float32Array(tf.util.sizeFromShape(c.x)), w, dy).dx;
    const perImage = ci.outHeight * ci.outWidth * 3 * 2 * 3;
    for (const maxColsFloats of [1, perImage, 2 * perImage + 1, 1e9]) {
      const got = runCore((b) => conv2dBackpropInputWasm(b, tf.tensor(dy, ci.outShape), tf.tensor(w, c.filter), ci, { maxColsFloats }));
      assert.ok(relErr(got, ref) <= TOL, `chunk bound ${maxColsFloats}: dx error ${relErr(got, ref)}`);
    }
  });

  test('the kernels free every intermediate (no wasm heap tensors left behind)', async () => {
    await tf.setBackend('wasm');
    const c: ConvCase = { x: [2, 9, 9, 3], filter: [3, 3, 3, 2], strides: [2, 2], dilations: [1, 1], pad: 'same' };
    const run = (depthwise: boolean): void => {
      tf.tidy(() => {
        const f = (xt: tf.Tensor, wt: tf.Tensor): tf.Tensor =>
          tf.sum(depthwise ? tf.depthwiseConv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, 1, 'same') : tf.conv2d(xt as tf.Tensor4D, wt as tf.Tensor4D, c.strides, 'same'));
        tf.grads(f)([tf.randomNormal(c.x), tf.randomNormal(c.filter)]).forEach((g) => g.dataSync());
      });
    };
    run(false);
    run(true);
    const before = { tensors: tf.memory().numTensors, data: tf.engine().backend.numDataIds() };
    for (let k = 0; k < 5; k++) {
      run(false);
      run(true);
    }
    assert.deepEqual({ tensors: tf.memory().numTensors, data: tf.engine().backend.numDataIds() }, before);
  });

  test('NCHW Conv2DBackpropInput falls back to the backend kernel and matches cpu', async () => {
    const r = rng(SEED + 7);
    const dy = normals(r, 2 * 4 * 5 * 5);
    const w = normals(r, 3 * 3 * 3 * 4);
    const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NCHW', inputShape: [2, 3, 5, 5] } as unknown as tf.NamedAttrMap;
    const run = async (backend: string): Promise<Float32Array> => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const out = tf.engine().runKernel('Conv2DBackpropInput', { dy: tf.tensor(dy, [2, 4, 5, 5]), filter: tf.tensor(w, [3, 3, 3, 4]) }, attrs);
        return (out as tf.Tensor).dataSync() as Float32Array;
      });
    };
    const got = await run('wasm');
    const ref = await run('cpu');
    await tf.setBackend('wasm');
    assert.ok(relErr(got, ref) <= TOL, `NCHW dx error ${relErr(got, ref)}`);
  });
});
