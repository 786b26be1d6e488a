/**
 * DepthwiseConv2dNativeBackpropFilter for the wasm backend (missing from @tensorflow/tfjs-backend-wasm 4.22).
 *
 * dW[kh,kw,c,m] = sum_{n,oh,ow} x[n, oh*sH + kh*dH - padTop, ow*sW + kw*dW - padLeft, c] * dy[n,oh,ow,c*CM + m]
 *
 * A per-channel reduction (no matrix product to hand to XNNPACK), so it is computed in JS over the wasm heap, one
 * pass per filter tap with contiguous inner loops and float64 accumulators; its cost is that of the forward
 * depthwise conv.
 */
import { backend_util, DepthwiseConv2dNativeBackpropFilter } from '@tensorflow/tfjs-core';
import type { DepthwiseConv2dNativeBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { assertFloat32, heapF32, isEmpty, WASM_BACKEND_NAME, zeros } from './wasm-ops';

/** Range of output positions o with 0 <= o*stride + offset < size (offset = k*dilation - pad). */
export function validOutputRange(offset: number, stride: number, size: number, outSize: number): [number, number] {
  const lo = Math.max(0, Math.ceil(-offset / stride));
  const hi = Math.min(outSize, Math.ceil((size - offset) / stride));
  return [lo, hi];
}

// The two inner loops live in their own small functions so that V8 optimises each for its one shape of use.

/** acc[j] += x[xBase + j] * dy[dyBase + j] for j in [lo, hi). */
function multiplyAddRun(acc: Float64Array, x: Float32Array, dy: Float32Array, xBase: number, dyBase: number, lo: number, hi: number): void {
  for (let j = lo; j < hi; j++) acc[j] += x[xBase + j] * dy[dyBase + j];
}

/** acc[ow*C*CM + c*CM + m] += x[xRow + ow*sW*C + c] * dy[dyRow + ow*C*CM + c*CM + m] for ow in [owLo, owHi). */
function multiplyAddStrided(acc: Float64Array, x: Float32Array, dy: Float32Array, xRow: number, dyRow: number, owLo: number, owHi: number, sW: number, C: number, CM: number): void {
  const CO = C * CM;
  for (let ow = owLo; ow < owHi; ow++) {
    const xb = xRow + ow * sW * C;
    const db = ow * CO;
    for (let c = 0; c < C; c++) {
      const xv = x[xb + c];
      const o = db + c * CM;
      for (let m = 0; m < CM; m++) acc[o + m] += xv * dy[dyRow + o + m];
    }
  }
}

/** dW for a depthwise conv described by `info` (NHWC, float32, any strides/dilations/pads). */
export function depthwiseBackpropFilterWasm(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  assertFloat32(DepthwiseConv2dNativeBackpropFilter, x, dy);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sH, strideWidth: sW, dilationHeight: dH, dilationWidth: dW } = info;
  if (isEmpty(x) || isEmpty(dy)) return zeros(backend, info.filterShape);
  const CM = CO / C;
  const out = backend.makeOutput(info.filterShape, 'float32');
  const xs = heapF32(backend, x);
  const dys = heapF32(backend, dy);
  const dws = heapF32(backend, out);
  // Per tap (kh, kw): products are summed per (ow, channel) over all images and rows first (a long contiguous
  // multiply-add when sW = 1 and CM = 1), then folded over ow; float64 accumulators throughout.
  const accRow = new Float64Array(OW * CO);
  for (let kh = 0; kh < KH; kh++) {
    const offH = kh * dH - info.padInfo.top;
    const [ohLo, ohHi] = validOutputRange(offH, sH, H, OH);
    for (let kw = 0; kw < KW; kw++) {
      const offW = kw * dW - info.padInfo.left;
      const [owLo, owHi] = validOutputRange(offW, sW, W, OW);
      accRow.fill(0);
      for (let n = 0; n < N; n++) {
        for (let oh = ohLo; oh < ohHi; oh++) {
          // x index of (ow, c) = xRow + ow*sW*C + c;  dy index of (ow, c, m) = dyRow + ow*CO + c*CM + m
          const xRow = ((n * H + oh * sH + offH) * W + offW) * C;
          const dyRow = (n * OH + oh) * OW * CO;
          if (CM === 1 && sW === 1) multiplyAddRun(accRow, xs, dys, xRow, dyRow, owLo * C, owHi * C);
          else multiplyAddStrided(accRow, xs, dys, xRow, dyRow, owLo, owHi, sW, C, CM);
        }
      }
      const base = (kh * KW + kw) * CO; // filter layout [KH, KW, C, CM] == [KH, KW, C*CM]
      for (let j = 0; j < CO; j++) {
        let sum = 0;
        for (let ow = owLo; ow < owHi; ow++) sum += accRow[ow * CO + j];
        dws[base + j] = sum;
      }
    }
  }
  return out;
}

function depthwiseBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs;
  const x4 = inputs.x.shape as [number, number, number, number];
  const info = backend_util.computeConv2DInfo(x4, filterShape, strides, dilations ?? 1, pad, dimRoundingMode, true);
  return depthwiseBackpropFilterWasm(backend, inputs.x, inputs.dy, info);
}

export const depthwiseBackpropFilterConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropFilter,
  backendName: WASM_BACKEND_NAME,
  kernelFunc: depthwiseBackpropFilter as unknown as KernelFunc,
};
