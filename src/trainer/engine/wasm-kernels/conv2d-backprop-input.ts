/**
 * Conv2DBackpropInput for the wasm backend. tfjs-backend-wasm 4.22 has one, but it is a plain C++ loop, ~10x slower
 * than its XNNPACK forward Conv2D on the same shape (measured by benchmarks/trainer/kernels.ts), so this replaces it
 * for NHWC float32 and falls back to the original kernel for anything else (NCHW).
 *
 * dx[n,ih,iw,ci] = sum_{kh,kw,co} dy[n,oh,ow,co] * W[kh,kw,ci,co]   where ih = oh*sH + kh*dH - padTop (same for w)
 *
 * - stride 1: a forward XNNPACK Conv2D of dy with the filter rotated 180 degrees and its in/out channels swapped,
 *   dilation dH/dW, pads (KH-1)*dH - padTop (top) and H-1+padTop-(OH-1) (bottom) (same for w);
 * - otherwise (stride > 1, or a pad that would be negative): col2im. cols = dy[M, Cout] . W^T[Cout, KH*KW*Cin] on the
 *   wasm MatMul (M = images*OH*OW, in batch chunks of bounded memory), then each column is added back to its pixel.
 */
import { backend_util, Conv2DBackpropInput } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropInputAttrs, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { assertFloat32, flippedFilterPadding, heapF32, isEmpty, release, reshape, runWasmKernel, slice, transpose, WASM_BACKEND_NAME, zeros } from './wasm-ops';

/** Default upper bound on the floats of one col2im chunk (32 MiB). */
export const MAX_COLS_FLOATS = 8 * 1024 * 1024;

export interface BackpropInputOptions {
  /** Bound on the col2im buffer, in floats (images are processed in chunks that fit). */
  maxColsFloats?: number;
}

function backpropInputByConv(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | null {
  const pad = flippedFilterPadding(info);
  if (!pad) return null;
  const { dilationHeight: dH, dilationWidth: dW } = info;
  const temps: TensorInfo[] = [];
  try {
    const flipped = runWasmKernel(backend, 'Reverse', { x: filter }, { dims: [0, 1] });
    temps.push(flipped);
    const rotated = transpose(backend, flipped, [0, 1, 3, 2]);
    temps.push(rotated);
    const attrs = { strides: [1, 1], dilations: [dH, dW], pad, dataFormat: 'NHWC' } as unknown as NamedAttrMap;
    return runWasmKernel(backend, 'Conv2D', { x: dy, filter: rotated }, attrs);
  } finally {
    release(backend, ...temps);
  }
}

function backpropInputByCol2im(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo, maxColsFloats: number): TensorInfo {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: Cin, outHeight: OH, outWidth: OW, outChannels: Cout } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sH, strideWidth: sW, dilationHeight: dH, dilationWidth: dW } = info;
  const { top, left } = info.padInfo;
  const K = KH * KW * Cin;
  const dx = backend.makeOutput(info.inShape, 'float32');
  heapF32(backend, dx).fill(0);
  const filter2 = reshape(backend, filter, [K, Cout]);
  const filterT = transpose(backend, filter2, [1, 0]);
  release(backend, filter2);
  const perImage = OH * OW * K;
  const chunk = Math.max(1, Math.min(N, Math.floor(maxColsFloats / Math.max(1, perImage))));
  try {
    for (let n0 = 0; n0 < N; n0 += chunk) {
      const nb = Math.min(chunk, N - n0);
      const dyChunk = nb === N ? dy : slice(backend, dy, [n0, 0, 0, 0], [nb, OH, OW, Cout]);
      const dy2 = reshape(backend, dyChunk, [nb * OH * OW, Cout]);
      const cols = runWasmKernel(backend, 'BatchMatMul', { a: dy2, b: filterT }, { transposeA: false, transposeB: false });
      release(backend, dy2);
      if (dyChunk !== dy) release(backend, dyChunk);
      const c = heapF32(backend, cols);
      const d = heapF32(backend, dx);
      for (let nl = 0; nl < nb; nl++) {
        const dxImage = (n0 + nl) * H * W * Cin;
        for (let oh = 0; oh < OH; oh++) {
          for (let kh = 0; kh < KH; kh++) {
            const ih = oh * sH + kh * dH - top;
            if (ih < 0 || ih >= H) continue;
            const dxRow = dxImage + ih * W * Cin;
            for (let ow = 0; ow < OW; ow++) {
              const colPixel = ((nl * OH + oh) * OW + ow) * K + kh * KW * Cin;
              for (let kw = 0; kw < KW; kw++) {
                const iw = ow * sW + kw * dW - left;
                if (iw < 0 || iw >= W) continue;
                const dxBase = dxRow + iw * Cin;
                const colBase = colPixel + kw * Cin;
                for (let ci = 0; ci < Cin; ci++) d[dxBase + ci] += c[colBase + ci];
              }
            }
          }
        }
      }
      release(backend, cols);
    }
  } catch (e) {
    release(backend, dx);
    throw e;
  } finally {
    release(backend, filterT);
  }
  return dx;
}

/** dx for a conv described by `info` (NHWC, float32; any strides, dilations and pads tfjs can describe). */
export function conv2dBackpropInputWasm(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
  opts: BackpropInputOptions = {},
): TensorInfo {
  assertFloat32(Conv2DBackpropInput, dy, filter);
  if (info.dataFormat !== 'channelsLast') throw new Error(`${Conv2DBackpropInput} replacement on wasm supports NHWC only`);
  if (isEmpty(dy) || isEmpty(filter)) return zeros(backend, info.inShape);
  return backpropInputByConv(backend, dy, filter, info) ?? backpropInputByCol2im(backend, dy, filter, info, opts.maxColsFloats ?? MAX_COLS_FLOATS);
}

/** Builds the kernel config; `original` (the backend's own kernel) handles what this one does not (NCHW). */
export function makeConv2dBackpropInputConfig(original: KernelConfig | undefined): KernelConfig {
  const kernelFunc = (args: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: BackendWasm; attrs: Conv2DBackpropInputAttrs }): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
    const format = backend_util.convertConv2DDataFormat(dataFormat);
    const filterShape = inputs.filter.shape as [number, number, number, number];
    if (format !== 'channelsLast' || inputs.dy.dtype !== 'float32') {
      if (original === undefined) throw new Error(`${Conv2DBackpropInput} on wasm: unsupported ${dataFormat}/${inputs.dy.dtype}`);
      return original.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    }
    const info = backend_util.computeConv2DInfo(inputShape, filterShape, strides, 1, pad, dimRoundingMode, false, format);
    return conv2dBackpropInputWasm(backend, inputs.dy, inputs.filter, info);
  };
  // The original's setupFunc (binding its wasm function) must still run when the backend initialises.
  return { kernelName: Conv2DBackpropInput, backendName: WASM_BACKEND_NAME, kernelFunc: kernelFunc as unknown as KernelFunc, setupFunc: original?.setupFunc };
}
