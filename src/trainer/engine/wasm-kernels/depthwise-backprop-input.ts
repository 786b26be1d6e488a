/**
 * DepthwiseConv2dNativeBackpropInput for the wasm backend (missing from @tensorflow/tfjs-backend-wasm 4.22).
 *
 * dx[n,ih,iw,c] = sum_{kh,kw,m} dy[n,oh,ow,c*CM + m] * W[kh,kw,c,m]   where ih = oh*sH + kh*dH - padTop (same for w)
 *
 * - stride 1: the backend's XNNPACK DepthwiseConv2dNative on dy (C*CM channels, multiplier 1) with the filter
 *   rotated 180 degrees, dilation dH/dW, pads (KH-1)*dH - padTop / H-1+padTop-(OH-1); for CM > 1 the CM partial
 *   results of each channel are then summed with the wasm Sum kernel;
 * - otherwise: one scatter pass in JS over the wasm heap (the cost of the forward depthwise conv).
 */
import { backend_util, DepthwiseConv2dNativeBackpropInput } from '@tensorflow/tfjs-core';
import type { DepthwiseConv2dNativeBackpropInputAttrs, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { assertFloat32, flippedFilterPadding, heapF32, isEmpty, release, reshape, runWasmKernel, WASM_BACKEND_NAME, zeros } from './wasm-ops';

function byDepthwiseConv(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | null {
  const pad = flippedFilterPadding(info);
  if (!pad) return null;
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outChannels: CO, filterHeight: KH, filterWidth: KW } = info;
  const { dilationHeight: dH, dilationWidth: dW } = info;
  const CM = CO / C;
  const temps: TensorInfo[] = [];
  try {
    const flipped = runWasmKernel(backend, 'Reverse', { x: filter }, { dims: [0, 1] });
    temps.push(flipped);
    const perChannel = reshape(backend, flipped, [KH, KW, CO, 1]);
    temps.push(perChannel);
    const attrs = { strides: [1, 1], dilations: [dH, dW], pad } as unknown as NamedAttrMap;
    const partial = runWasmKernel(backend, 'DepthwiseConv2dNative', { x: dy, filter: perChannel }, attrs);
    if (CM === 1) return partial;
    temps.push(partial);
    const grouped = reshape(backend, partial, [N, H, W, C, CM]);
    temps.push(grouped);
    return runWasmKernel(backend, 'Sum', { x: grouped }, { axis: [4], keepDims: false });
  } finally {
    release(backend, ...temps);
  }
}

function byScatter(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sH, strideWidth: sW, dilationHeight: dH, dilationWidth: dW } = info;
  const { top, left } = info.padInfo;
  const CM = CO / C;
  const dx = backend.makeOutput(info.inShape, 'float32');
  const d = heapF32(backend, dx);
  const g = heapF32(backend, dy);
  const w = heapF32(backend, filter);
  d.fill(0);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let kh = 0; kh < KH; kh++) {
        const ih = oh * sH + kh * dH - top;
        if (ih < 0 || ih >= H) continue;
        for (let ow = 0; ow < OW; ow++) {
          const gb = ((n * OH + oh) * OW + ow) * CO;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sW + kw * dW - left;
            if (iw < 0 || iw >= W) continue;
            const db = ((n * H + ih) * W + iw) * C;
            const wb = (kh * KW + kw) * CO;
            if (CM === 1) {
              for (let c = 0; c < C; c++) d[db + c] += g[gb + c] * w[wb + c];
            } else {
              for (let c = 0; c < C; c++) {
                let s = 0;
                for (let m = 0; m < CM; m++) s += g[gb + c * CM + m] * w[wb + c * CM + m];
                d[db + c] += s;
              }
            }
          }
        }
      }
    }
  }
  return dx;
}

/** dx for a depthwise conv described by `info` (NHWC, float32, any strides/dilations/pads). */
export function depthwiseBackpropInputWasm(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  assertFloat32(DepthwiseConv2dNativeBackpropInput, dy, filter);
  if (isEmpty(dy) || isEmpty(filter)) return zeros(backend, info.inShape);
  return byDepthwiseConv(backend, dy, filter, info) ?? byScatter(backend, dy, filter, info);
}

function depthwiseBackpropInput(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs;
  const filterShape = inputs.filter.shape as [number, number, number, number];
  const info = backend_util.computeConv2DInfo(inputShape, filterShape, strides, dilations ?? 1, pad, dimRoundingMode, true);
  return depthwiseBackpropInputWasm(backend, inputs.dy, inputs.filter, info);
}

export const depthwiseBackpropInputConfig: KernelConfig = {
  kernelName: DepthwiseConv2dNativeBackpropInput,
  backendName: WASM_BACKEND_NAME,
  kernelFunc: depthwiseBackpropInput as unknown as KernelFunc,
};
