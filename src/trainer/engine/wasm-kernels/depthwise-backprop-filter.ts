/**
 * DepthwiseConv2dNativeBackpropFilter for the wasm backend (missing from @tensorflow/tfjs-backend-wasm 4.22).
 *
 * dW[kh,kw,c,m] = sum_{n,oh,ow} x[n, oh*sH + kh*dH - padTop, ow*sW + kw*dW - padLeft, c] * dy[n,oh,ow,c*CM + m]
 *
 * A per-channel reduction (no matrix product to hand to XNNPACK), so it is one pass over the wasm heap in JS with
 * channel-contiguous inner loops and float64 accumulators; its cost is that of the forward depthwise conv.
 */
import { backend_util, DepthwiseConv2dNativeBackpropFilter } from '@tensorflow/tfjs-core';
import type { DepthwiseConv2dNativeBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { assertFloat32, heapF32, WASM_BACKEND_NAME } from './wasm-ops';

/** Range of output positions o with 0 <= o*stride + offset < size (offset = k*dilation - pad). */
export function validOutputRange(offset: number, stride: number, size: number, outSize: number): [number, number] {
  const lo = Math.max(0, Math.ceil(-offset / stride));
  const hi = Math.min(outSize, Math.ceil((size - offset) / stride));
  return [lo, hi];
}

/** dW for a depthwise conv described by `info` (NHWC, float32, any strides/dilations/pads). */
export function depthwiseBackpropFilterWasm(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  assertFloat32(DepthwiseConv2dNativeBackpropFilter, x, dy);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sH, strideWidth: sW, dilationHeight: dH, dilationWidth: dW } = info;
  const CM = CO / C;
  const out = backend.makeOutput(info.filterShape, 'float32');
  const xs = heapF32(backend, x);
  const dys = heapF32(backend, dy);
  const dws = heapF32(backend, out);
  const acc = new Float64Array(CO);
  for (let kh = 0; kh < KH; kh++) {
    const offH = kh * dH - info.padInfo.top;
    const [ohLo, ohHi] = validOutputRange(offH, sH, H, OH);
    for (let kw = 0; kw < KW; kw++) {
      const offW = kw * dW - info.padInfo.left;
      const [owLo, owHi] = validOutputRange(offW, sW, W, OW);
      acc.fill(0);
      for (let n = 0; n < N; n++) {
        for (let oh = ohLo; oh < ohHi; oh++) {
          const xRow = ((n * H + oh * sH + offH) * W + offW) * C;
          const dyRow = (n * OH + oh) * OW * CO;
          for (let ow = owLo; ow < owHi; ow++) {
            const xb = xRow + ow * sW * C;
            const db = dyRow + ow * CO;
            if (CM === 1) {
              for (let c = 0; c < C; c++) acc[c] += xs[xb + c] * dys[db + c];
            } else {
              for (let c = 0; c < C; c++) {
                const xv = xs[xb + c];
                const o = c * CM;
                for (let m = 0; m < CM; m++) acc[o + m] += xv * dys[db + o + m];
              }
            }
          }
        }
      }
      const base = (kh * KW + kw) * CO; // filter layout [KH, KW, C, CM] == [KH, KW, C*CM]
      for (let j = 0; j < CO; j++) dws[base + j] = acc[j];
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
