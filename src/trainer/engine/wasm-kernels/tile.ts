/**
 * Tile for the wasm backend. tfjs-backend-wasm 4.22 has one, but it computes every output index separately; in
 * a conv-net training step the FusedBatchNorm gradient tiles a [1,1,1,C] tensor up to the activation shape for
 * every BN layer, and the stock kernel spent more time there than in all the convolutions (benchmarks/trainer).
 * This one copies each innermost run once and replicates whole blocks with copyWithin (memmove) by doubling.
 */
import { Tile, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo, TileAttrs } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { WASM_BACKEND_NAME } from './wasm-ops';

type Numeric = Float32Array | Int32Array | Uint8Array;

/** Copies out[start, start+len) to the following (times-1) blocks of len, in O(log times) copyWithin calls. */
function replicate(out: Numeric, start: number, len: number, times: number): void {
  const total = len * times;
  let filled = len;
  while (filled < total) {
    const n = Math.min(filled, total - filled);
    out.copyWithin(start + filled, start, start + n);
    filled += n;
  }
}

/** Writes tile(x) into out: dims d.. of x starting at inOffset go to out starting at outOffset. */
function tileInto(x: Numeric, out: Numeric, shape: number[], reps: number[], inStrides: number[], outBlock: number[], d: number, inOffset: number, outOffset: number): void {
  const last = d === shape.length - 1;
  if (last && shape[d] === 1) {
    out.fill(x[inOffset], outOffset, outOffset + reps[d]);
    return;
  }
  if (last) {
    out.set(x.subarray(inOffset, inOffset + shape[d]), outOffset);
  } else {
    for (let i = 0; i < shape[d]; i++) {
      tileInto(x, out, shape, reps, inStrides, outBlock, d + 1, inOffset + i * inStrides[d], outOffset + i * outBlock[d + 1]);
    }
  }
  // One copy of dim d is shape[d] blocks of the size of (tiled) dims d+1..; repeat it reps[d] times.
  replicate(out, outOffset, shape[d] * outBlock[d + 1], reps[d]);
}

export function tileWasm(backend: BackendWasm, x: TensorInfo, reps: number[]): TensorInfo {
  const shape = x.shape;
  const outShape = shape.map((s, i) => s * reps[i]);
  const out = backend.makeOutput(outShape, x.dtype);
  if (util.sizeFromShape(outShape) === 0) return out;
  if (shape.length === 0) {
    (backend.typedArrayFromHeap(out) as Numeric).set(backend.typedArrayFromHeap(x) as Numeric);
    return out;
  }
  const xs = backend.typedArrayFromHeap(x) as Numeric;
  const os = backend.typedArrayFromHeap(out) as Numeric;
  const inStrides = [...util.computeStrides(shape), 1];
  // outBlock[d] = number of output elements spanned by one index of dim d-1 (product of outShape[d..]).
  const outBlock = new Array<number>(shape.length + 1).fill(1);
  for (let d = shape.length - 1; d >= 0; d--) outBlock[d] = outBlock[d + 1] * outShape[d];
  tileInto(xs, os, shape, reps, inStrides, outBlock, 0, 0, 0);
  return out;
}

function tile(args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: TileAttrs }): TensorInfo {
  return tileWasm(args.backend, args.inputs.x, args.attrs.reps);
}

/** `original` handles dtypes this one does not (string). */
export function makeTileConfig(original: KernelConfig | undefined): KernelConfig {
  const kernelFunc = (args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: TileAttrs }): TensorInfo => {
    if (args.inputs.x.dtype === 'string' || args.inputs.x.dtype === 'complex64') {
      if (original === undefined) throw new Error(`${Tile} on wasm does not support ${args.inputs.x.dtype}`);
      return original.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
    }
    return tile(args);
  };
  return { kernelName: Tile, backendName: WASM_BACKEND_NAME, kernelFunc: kernelFunc as unknown as KernelFunc, setupFunc: original?.setupFunc };
}
