/**
 * Helpers for kernels registered on the tfjs `wasm` backend: calling the backend's own (XNNPACK-backed) kernels
 * from inside a kernel, typed-array views over the wasm heap, and freeing intermediates.
 *
 * Inside a kernel there is no engine scope: a kernel function receives TensorInfos and returns TensorInfos created
 * by `backend.makeOutput`. Every intermediate made here must be freed with `release` (it decrements the backend's
 * ref count, so a kernel that returned its input, e.g. Reshape, is freed correctly too).
 */
import { getKernel } from '@tensorflow/tfjs-core';
import type { backend_util, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export const WASM_BACKEND_NAME = 'wasm';

/** Runs the kernel registered as `kernelName` for the wasm backend (one output). */
export function runWasmKernel(backend: BackendWasm, kernelName: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
  const config = getKernel(kernelName, WASM_BACKEND_NAME);
  if (config === undefined) throw new Error(`wasm backend has no '${kernelName}' kernel`);
  const out = config.kernelFunc({ inputs, backend, attrs });
  return Array.isArray(out) ? out[0] : out;
}

/** Frees an intermediate made inside a kernel. */
export function release(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/**
 * A Float32Array view of a float32 tensor on the wasm heap. Take views only after the last allocation of the
 * kernel: growing the heap (any makeOutput or wasm kernel call) detaches earlier views.
 */
export function heapF32(backend: BackendWasm, info: TensorInfo): Float32Array {
  const arr = backend.typedArrayFromHeap(info);
  if (!(arr instanceof Float32Array)) throw new Error(`expected a float32 tensor, got ${info.dtype}`);
  return arr;
}

export function assertFloat32(kernelName: string, ...infos: TensorInfo[]): void {
  for (const info of infos) {
    if (info.dtype !== 'float32') throw new Error(`${kernelName} on wasm supports float32 tensors only, got ${info.dtype}`);
  }
}

export const transpose = (backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo =>
  runWasmKernel(backend, 'Transpose', { x }, { perm });

export const reshape = (backend: BackendWasm, x: TensorInfo, shape: number[]): TensorInfo =>
  runWasmKernel(backend, 'Reshape', { x }, { shape });

export const slice = (backend: BackendWasm, x: TensorInfo, begin: number[], size: number[]): TensorInfo =>
  runWasmKernel(backend, 'Slice', { x }, { begin, size });

/** A new float32 tensor of zeros (what a gradient is when the conv has an empty input or output). */
export function zeros(backend: BackendWasm, shape: number[]): TensorInfo {
  const out = backend.makeOutput(shape, 'float32');
  if (shape.every((d) => d > 0)) heapF32(backend, out).fill(0);
  return out;
}

export const isEmpty = (info: TensorInfo): boolean => info.shape.some((d) => d === 0);

/**
 * Padding under which the input gradient of a stride-1 convolution is a forward stride-1 convolution of dy with
 * the spatially flipped filter (a "full" correlation); null for strides > 1 or pads beyond the filter's reach.
 */
export function flippedFilterPadding(info: backend_util.Conv2DInfo): backend_util.ExplicitPadding | null {
  const { inHeight: H, inWidth: W, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW } = info;
  if (info.strideHeight !== 1 || info.strideWidth !== 1) return null;
  const top = (KH - 1) * info.dilationHeight - info.padInfo.top;
  const left = (KW - 1) * info.dilationWidth - info.padInfo.left;
  const bottom = H - 1 + info.padInfo.top - (OH - 1);
  const right = W - 1 + info.padInfo.left - (OW - 1);
  if (top < 0 || left < 0 || bottom < 0 || right < 0) return null;
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}
