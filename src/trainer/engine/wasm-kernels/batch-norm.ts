/**
 * Training-mode BatchNorm (Ioffe & Szegedy 2015, Alg. 1) as two fused wasm-backend kernels, for NHWC float32:
 *
 *   TrainerBatchNorm      x, gamma, beta -> y, mean, variance (biased), invStd = 1/sqrt(variance + eps)
 *   TrainerBatchNormGrad  dy, x, mean, invStd, gamma -> dx, dgamma, dbeta
 *     dbeta = sum dy,  dgamma = sum dy * xhat  (xhat = (x - mean) invStd, sums over N, H, W),
 *     dx = gamma invStd / M (M dy - dbeta - xhat dgamma)  (M = N H W).
 *
 * The tfjs composition (moments + batchNorm4d, and their gradients) runs ~15 kernels per BN layer and step, each a
 * pass over the activation (Sum, Mean, Square, Sub, Multiply, the FusedBatchNorm gradient's Tile ...), and keeps
 * several activation-sized intermediates alive for the backward pass; on the benchmark nets that was ~45% of the step
 * (benchmarks/trainer/vs-torch.ts). These do two passes forward and two backward, keep only x, and accumulate in
 * float64. Each kernel is plain JS over the wasm heap (channels innermost, contiguous).
 */
import { registerGradient, registerKernel, getKernel, getGradient, engine } from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { assertFloat32, heapF32, WASM_BACKEND_NAME } from './wasm-ops';

export const TRAINER_BATCH_NORM = 'TrainerBatchNorm';
export const TRAINER_BATCH_NORM_GRAD = 'TrainerBatchNormGrad';

export interface TrainerBatchNormAttrs {
  varianceEpsilon: number;
}

/** Per-channel sum and sum of squares of x ([M, C] row-major) into float64 accumulators. */
function channelSums(x: Float32Array, M: number, C: number, sum: Float64Array, sumSq: Float64Array): void {
  for (let i = 0, o = 0; i < M; i++, o += C) {
    for (let c = 0; c < C; c++) {
      const v = x[o + c];
      sum[c] += v;
      sumSq[c] += v * v;
    }
  }
}

/** y[i, c] = x[i, c] * scale[c] + shift[c]. */
function affine(x: Float32Array, y: Float32Array, M: number, C: number, scale: Float32Array, shift: Float32Array): void {
  for (let i = 0, o = 0; i < M; i++, o += C) {
    for (let c = 0; c < C; c++) y[o + c] = x[o + c] * scale[c] + shift[c];
  }
}

/** Per-channel sum of dy and of dy * (x - mean). */
function gradSums(dy: Float32Array, x: Float32Array, mean: Float32Array, M: number, C: number, sDy: Float64Array, sDyXc: Float64Array): void {
  for (let i = 0, o = 0; i < M; i++, o += C) {
    for (let c = 0; c < C; c++) {
      const g = dy[o + c];
      sDy[c] += g;
      sDyXc[c] += g * (x[o + c] - mean[c]);
    }
  }
}

/** dx[i, c] = a[c] dy[i, c] - b[c] (x[i, c] - mean[c]) - k[c]. */
function gradInput(dy: Float32Array, x: Float32Array, dx: Float32Array, mean: Float32Array, M: number, C: number, a: Float32Array, b: Float32Array, k: Float32Array): void {
  for (let i = 0, o = 0; i < M; i++, o += C) {
    for (let c = 0; c < C; c++) dx[o + c] = a[c] * dy[o + c] - b[c] * (x[o + c] - mean[c]) - k[c];
  }
}

function channelsOf(x: TensorInfo): { M: number; C: number } {
  const C = x.shape[x.shape.length - 1];
  return { M: C > 0 ? x.shape.reduce((a, b) => a * b, 1) / C : 0, C };
}

/** Forward: [y, mean, variance, invStd]. */
export function batchNormTrainWasm(backend: BackendWasm, x: TensorInfo, gamma: TensorInfo, beta: TensorInfo, eps: number): TensorInfo[] {
  assertFloat32(TRAINER_BATCH_NORM, x, gamma, beta);
  const { M, C } = channelsOf(x);
  const y = backend.makeOutput(x.shape, 'float32');
  const mean = backend.makeOutput([C], 'float32');
  const variance = backend.makeOutput([C], 'float32');
  const invStd = backend.makeOutput([C], 'float32');
  const xs = heapF32(backend, x);
  const sum = new Float64Array(C);
  const sumSq = new Float64Array(C);
  channelSums(xs, M, C, sum, sumSq);
  const g = heapF32(backend, gamma);
  const bt = heapF32(backend, beta);
  const [ms, vs, is] = [heapF32(backend, mean), heapF32(backend, variance), heapF32(backend, invStd)];
  const scale = new Float32Array(C);
  const shift = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    const m = M > 0 ? sum[c] / M : 0;
    const v = M > 0 ? Math.max(0, sumSq[c] / M - m * m) : 0;
    const inv = 1 / Math.sqrt(v + eps);
    ms[c] = m;
    vs[c] = v;
    is[c] = inv;
    scale[c] = g[c] * inv;
    shift[c] = bt[c] - m * g[c] * inv;
  }
  affine(xs, heapF32(backend, y), M, C, scale, shift);
  return [y, mean, variance, invStd];
}

/** Backward: [dx, dgamma, dbeta]. */
export function batchNormTrainGradWasm(backend: BackendWasm, dy: TensorInfo, x: TensorInfo, mean: TensorInfo, invStd: TensorInfo, gamma: TensorInfo): TensorInfo[] {
  assertFloat32(TRAINER_BATCH_NORM_GRAD, dy, x, mean, invStd, gamma);
  const { M, C } = channelsOf(x);
  const dx = backend.makeOutput(x.shape, 'float32');
  const dgamma = backend.makeOutput([C], 'float32');
  const dbeta = backend.makeOutput([C], 'float32');
  const [dys, xs, ms, is, gs] = [heapF32(backend, dy), heapF32(backend, x), heapF32(backend, mean), heapF32(backend, invStd), heapF32(backend, gamma)];
  const sDy = new Float64Array(C);
  const sDyXc = new Float64Array(C);
  gradSums(dys, xs, ms, M, C, sDy, sDyXc);
  const [dg, db] = [heapF32(backend, dgamma), heapF32(backend, dbeta)];
  const a = new Float32Array(C);
  const b = new Float32Array(C);
  const k = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    const inv = is[c];
    db[c] = sDy[c];
    dg[c] = sDyXc[c] * inv;
    // dx = gamma inv (dy - sDy/M - xhat * dgamma/M) = a dy - b (x - mean) - k
    a[c] = gs[c] * inv;
    b[c] = M > 0 ? (gs[c] * inv * inv * inv * sDyXc[c]) / M : 0;
    k[c] = M > 0 ? (gs[c] * inv * sDy[c]) / M : 0;
  }
  gradInput(dys, xs, heapF32(backend, dx), ms, M, C, a, b, k);
  return [dx, dgamma, dbeta];
}

const forwardConfig: KernelConfig = {
  kernelName: TRAINER_BATCH_NORM,
  backendName: WASM_BACKEND_NAME,
  kernelFunc: ((args: { inputs: { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo }; backend: BackendWasm; attrs: TrainerBatchNormAttrs }) =>
    batchNormTrainWasm(args.backend, args.inputs.x, args.inputs.gamma, args.inputs.beta, args.attrs.varianceEpsilon)) as unknown as KernelFunc,
};

const gradConfig: KernelConfig = {
  kernelName: TRAINER_BATCH_NORM_GRAD,
  backendName: WASM_BACKEND_NAME,
  kernelFunc: ((args: { inputs: { dy: TensorInfo; x: TensorInfo; mean: TensorInfo; invStd: TensorInfo; gamma: TensorInfo }; backend: BackendWasm }) => {
    const { dy, x, mean, invStd, gamma } = args.inputs;
    return batchNormTrainGradWasm(args.backend, dy, x, mean, invStd, gamma);
  }) as unknown as KernelFunc,
};

/** Gradient of TrainerBatchNorm: saved = [x, gamma, mean, invStd]; mean/variance/invStd outputs carry no gradient. */
const batchNormGradient: GradConfig = {
  kernelName: TRAINER_BATCH_NORM,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, false, true],
  gradFunc: (dys: Tensor | Tensor[], saved: Tensor[]) => {
    const dy = Array.isArray(dys) ? dys[0] : dys;
    const [x, gamma, mean, invStd] = saved;
    const [dx, dgamma, dbeta] = engine().runKernel(TRAINER_BATCH_NORM_GRAD, { dy, x, mean, invStd, gamma }, {} as NamedAttrMap) as Tensor[];
    return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
  },
};

/** Registers both kernels on wasm and the gradient (idempotent); returns the kernel names it added. */
export function registerBatchNormKernels(): string[] {
  const added: string[] = [];
  for (const config of [forwardConfig, gradConfig]) {
    if (getKernel(config.kernelName, WASM_BACKEND_NAME) === undefined) {
      registerKernel(config);
      added.push(config.kernelName);
    }
  }
  if (getGradient(TRAINER_BATCH_NORM) === undefined) registerGradient(batchNormGradient);
  return added;
}
