/**
 * Two cores for the heavy conv kernels of the `wasm` backend. tfjs-backend-wasm 4.22 runs single-threaded in Node
 * (its threaded XNNPACK build is disabled there: WASM_HAS_MULTITHREAD_SUPPORT is false under Node, and forcing it
 * fails because Emscripten hands worker_threads a blob: URL). So this file starts one helper worker thread with its
 * own wasm backend, and wraps the conv kernels: the batch is split in two, the helper computes the second half
 * while the main thread computes the first, and the halves are joined: concatenated along the batch (Conv2D,
 * DepthwiseConv2dNative, and their input gradients: each image's result does not depend on the others, so the
 * values are those of the unsplit kernel) or summed (the filter gradients: a sum over the batch, split in two
 * partial sums, equal up to float rounding). Inputs and output travel through a SharedArrayBuffer; the main thread
 * waits for the helper with Atomics.wait, since a kernel returns synchronously.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { backend_util, getKernel, registerKernel, unregisterKernel, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { SplitInput, SplitRequest, STATUS_DONE, STATUS_IDLE } from './batch-split-protocol';
import { heapF32, release, WASM_BACKEND_NAME } from './wasm-ops';

type Combine = 'concat' | 'sum';
interface SplitSpec {
  /** Inputs split along axis 0 (the batch). */
  split: string[];
  combine: Combine;
  /** Attribute holding the full input shape, whose batch entry is the half's (input gradients). */
  batchAttr?: 'inputShape';
}

const SPECS: Record<string, SplitSpec> = {
  Conv2D: { split: ['x'], combine: 'concat' },
  Conv2DBackpropInput: { split: ['dy'], combine: 'concat', batchAttr: 'inputShape' },
  Conv2DBackpropFilter: { split: ['x', 'dy'], combine: 'sum' },
  DepthwiseConv2dNative: { split: ['x'], combine: 'concat' },
  DepthwiseConv2dNativeBackpropInput: { split: ['dy'], combine: 'concat', batchAttr: 'inputShape' },
  DepthwiseConv2dNativeBackpropFilter: { split: ['x', 'dy'], combine: 'sum' },
};

/** Below this many multiply-adds a kernel is not worth the copies and the hand-off (~0.2 ms). */
export const DEFAULT_MIN_MACS = 4e6;

interface Helper {
  worker: Worker;
  control: SharedArrayBuffer;
  status: Int32Array;
  data: SharedArrayBuffer;
}

let helper: Helper | null = null;
/** True while a split kernel runs: kernels it calls inside (e.g. the Conv2D in Conv2DBackpropFilter) run unsplit. */
let inSplit = false;
let minMacs = DEFAULT_MIN_MACS;
let splitCalls = 0;
const wrapped = new Map<string, KernelConfig>();

/** Sets the size threshold (tests force the split on small shapes with 0). */
export function setBatchSplitMinMacs(macs: number): void {
  minMacs = macs;
}

/** Kernel calls that ran split so far. */
export function batchSplitCalls(): number {
  return splitCalls;
}

export function batchSplitActive(): boolean {
  return helper !== null;
}

function plainAttrs(attrs: NamedAttrMap): Record<string, unknown> {
  return JSON.parse(JSON.stringify(attrs)) as Record<string, unknown>;
}

function convInfo(kernel: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap): backend_util.Conv2DInfo {
  const a = attrs as unknown as { strides: [number, number] | number; pad: 'same' | 'valid' | number | backend_util.ExplicitPadding; dilations?: [number, number] | number; dimRoundingMode?: 'floor' | 'round' | 'ceil'; dataFormat?: 'NHWC' | 'NCHW'; inputShape?: number[]; filterShape?: number[] };
  const depthwise = kernel.startsWith('Depthwise');
  const format = backend_util.convertConv2DDataFormat(a.dataFormat ?? 'NHWC');
  const xShape = (kernel.endsWith('BackpropInput') ? a.inputShape : inputs.x.shape) as [number, number, number, number];
  const fShape = (kernel.endsWith('BackpropFilter') ? a.filterShape : inputs.filter.shape) as [number, number, number, number];
  return backend_util.computeConv2DInfo(xShape, fShape, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, depthwise, format);
}

function macs(info: backend_util.Conv2DInfo, depthwise: boolean): number {
  const perOut = info.filterHeight * info.filterWidth * (depthwise ? 1 : info.inChannels);
  return util.sizeFromShape(info.outShape) * perOut;
}

function ensureData(h: Helper, bytes: number): void {
  if (h.data.byteLength >= bytes) return;
  h.data = new SharedArrayBuffer(Math.max(bytes, 2 * h.data.byteLength));
}

/** A fresh float32 tensor holding rows [from, from + n) of t (axis 0). */
function rows(backend: BackendWasm, t: TensorInfo, from: number, n: number): TensorInfo {
  const shape = [n, ...t.shape.slice(1)];
  const out = backend.makeOutput(shape, 'float32');
  const per = util.sizeFromShape(t.shape.slice(1));
  heapF32(backend, out).set(heapF32(backend, t).subarray(from * per, (from + n) * per));
  return out;
}

function runSplit(original: KernelConfig, spec: SplitSpec, h: Helper, args: { inputs: Record<string, TensorInfo>; backend: BackendWasm; attrs: NamedAttrMap }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const kernel = original.kernelName;
  const info = convInfo(kernel, inputs, attrs);
  const n = info.batchSize;
  const n1 = Math.ceil(n / 2);
  const n2 = n - n1;
  const fullOut = spec.combine === 'sum' ? info.filterShape : kernel.endsWith('BackpropInput') ? info.inShape : info.outShape;
  const outSize = spec.combine === 'sum' ? util.sizeFromShape(fullOut) : (util.sizeFromShape(fullOut) / n) * n2;
  // layout of the shared buffer: every input (split ones: their second half), then the helper's output
  const layout: SplitInput[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(inputs)) {
    const isSplit = spec.split.includes(name);
    const shape = isSplit ? [n2, ...t.shape.slice(1)] : t.shape.slice();
    const size = util.sizeFromShape(shape);
    layout.push({ name, shape, offset, size });
    offset += size * 4;
  }
  const outOffset = offset;
  ensureData(h, outOffset + outSize * 4);
  for (const l of layout) {
    const t = inputs[l.name];
    const src = heapF32(backend, t);
    const from = spec.split.includes(l.name) ? src.length - l.size : 0;
    new Float32Array(h.data, l.offset, l.size).set(src.subarray(from));
  }
  const helperAttrs = plainAttrs(attrs);
  const mainAttrs = { ...attrs } as Record<string, unknown>;
  if (spec.batchAttr !== undefined) {
    const full = attrs[spec.batchAttr] as number[];
    helperAttrs[spec.batchAttr] = [n2, ...full.slice(1)];
    mainAttrs[spec.batchAttr] = [n1, ...full.slice(1)];
  }
  Atomics.store(h.status, 0, STATUS_IDLE);
  const request: SplitRequest = { kernel, attrs: helperAttrs, inputs: layout, data: h.data, outOffset, control: h.control };
  h.worker.postMessage({ request });
  splitCalls++;

  const mainInputs: Record<string, TensorInfo> = {};
  const temps: TensorInfo[] = [];
  for (const [name, t] of Object.entries(inputs)) {
    if (spec.split.includes(name)) {
      mainInputs[name] = rows(backend, t, 0, n1);
      temps.push(mainInputs[name]);
    } else {
      mainInputs[name] = t;
    }
  }
  let mine: TensorInfo;
  try {
    const r = original.kernelFunc({ inputs: mainInputs, backend, attrs: mainAttrs as NamedAttrMap } as unknown as Parameters<KernelFunc>[0]);
    mine = Array.isArray(r) ? r[0] : (r as TensorInfo);
  } finally {
    // wait for the helper before anything else touches the shared buffer
    while (Atomics.load(h.status, 0) === STATUS_IDLE) Atomics.wait(h.status, 0, STATUS_IDLE, 1000);
    release(backend, ...temps);
  }
  temps.length = 0;
  try {
    let theirs: Float32Array;
    if (Atomics.load(h.status, 0) === STATUS_DONE) {
      theirs = new Float32Array(h.data, outOffset, outSize);
    } else {
      // the helper failed (its stderr says why): compute its half here
      const rest: Record<string, TensorInfo> = {};
      for (const [name, t] of Object.entries(inputs)) {
        rest[name] = spec.split.includes(name) ? rows(backend, t, n1, n2) : t;
        if (rest[name] !== t) temps.push(rest[name]);
      }
      const r = original.kernelFunc({ inputs: rest, backend, attrs: helperAttrs as unknown as NamedAttrMap } as unknown as Parameters<KernelFunc>[0]);
      const t = Array.isArray(r) ? r[0] : (r as TensorInfo);
      temps.push(t);
      theirs = heapF32(backend, t).slice();
    }
    const out = backend.makeOutput(fullOut, 'float32');
    const o = heapF32(backend, out);
    const a = heapF32(backend, mine);
    if (spec.combine === 'concat') {
      o.set(a, 0);
      o.set(theirs, a.length);
    } else {
      for (let i = 0; i < o.length; i++) o[i] = a[i] + theirs[i];
    }
    return out;
  } finally {
    release(backend, mine, ...temps);
  }
}

function wrap(original: KernelConfig, spec: SplitSpec): KernelConfig {
  const kernelFunc = (args: { inputs: Record<string, TensorInfo>; backend: BackendWasm; attrs: NamedAttrMap }): TensorInfo | TensorInfo[] => {
    const h = helper;
    const first = args.inputs[spec.split[0]];
    const floats = Object.values(args.inputs).every((t) => t.dtype === 'float32');
    if (h !== null && !inSplit && floats && first.shape[0] >= 2) {
      const info = convInfo(original.kernelName, args.inputs, args.attrs);
      if (macs(info, original.kernelName.startsWith('Depthwise')) >= minMacs) {
        inSplit = true;
        try {
          return runSplit(original, spec, h, args);
        } finally {
          inSplit = false;
        }
      }
    }
    return original.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo | TensorInfo[];
  };
  return { kernelName: original.kernelName, backendName: WASM_BACKEND_NAME, kernelFunc: kernelFunc as unknown as KernelFunc, setupFunc: original.setupFunc };
}

/**
 * Starts the helper thread and wraps the conv kernels (call after this project's wasm kernels are registered and
 * the wasm backend is active). Resolves to the kernel names wrapped; rejects when the helper cannot start.
 */
export async function startBatchSplit(wasmDir: string): Promise<string[]> {
  if (helper !== null) return [...wrapped.keys()];
  const worker = new Worker(path.join(__dirname, 'split-worker.js'));
  worker.unref();
  try {
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (m: { ready: boolean; why?: string }) => (m.ready ? resolve() : reject(new Error(m.why ?? 'helper failed'))));
      worker.postMessage({ init: wasmDir });
    });
  } catch (e) {
    await worker.terminate();
    throw e;
  }
  const control = new SharedArrayBuffer(4 * 8);
  helper = { worker, control, status: new Int32Array(control), data: new SharedArrayBuffer(1 << 20) };
  for (const [name, spec] of Object.entries(SPECS)) {
    const original = getKernel(name, WASM_BACKEND_NAME);
    if (original === undefined || wrapped.has(name)) continue;
    unregisterKernel(name, WASM_BACKEND_NAME);
    registerKernel(wrap(original, spec));
    wrapped.set(name, original);
  }
  return [...wrapped.keys()];
}

/** Stops the helper and restores the unsplit kernels. */
export async function stopBatchSplit(): Promise<void> {
  const h = helper;
  helper = null;
  for (const [name, original] of wrapped) {
    unregisterKernel(name, WASM_BACKEND_NAME);
    registerKernel(original);
  }
  wrapped.clear();
  if (h !== null) await h.worker.terminate();
}

