/**
 * The gradient kernels this project adds to the tfjs `wasm` backend (tfjs-backend-wasm 4.22 lacks
 * Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter and DepthwiseConv2dNativeBackpropInput, and its
 * Conv2DBackpropInput and Tile are slow generic loops), plus a fused training-mode BatchNorm (TrainerBatchNorm and
 * its gradient, used by src/trainer/engine/batch-norm.ts). Register them before the first training step.
 */
import { Conv2DBackpropInput, getKernel, registerKernel, Tile, unregisterKernel } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { registerBatchNormKernels } from './batch-norm';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter';
import { makeConv2dBackpropInputConfig } from './conv2d-backprop-input';
import { depthwiseBackpropFilterConfig } from './depthwise-backprop-filter';
import { depthwiseBackpropInputConfig } from './depthwise-backprop-input';
import { makeTileConfig } from './tile';
import { WASM_BACKEND_NAME } from './wasm-ops';

export { batchNormTrainGradWasm, batchNormTrainWasm, TRAINER_BATCH_NORM, TRAINER_BATCH_NORM_GRAD } from './batch-norm';
export { conv2dBackpropFilterWasm } from './conv2d-backprop-filter';
export { conv2dBackpropInputWasm } from './conv2d-backprop-input';
export { depthwiseBackpropFilterWasm } from './depthwise-backprop-filter';
export { depthwiseBackpropInputWasm } from './depthwise-backprop-input';
export { tileWasm } from './tile';

export interface WasmKernelRegistration {
  /** Kernels that were missing on wasm and are now provided. */
  added: string[];
  /** Kernels of the backend replaced by faster ones (the original stays reachable as a fallback). */
  replaced: string[];
}

/** The backend's own kernels that were replaced, kept for what the replacements do not handle. */
const originals = new Map<string, KernelConfig | undefined>();
let registered: WasmKernelRegistration | undefined;

/** Faster replacements of existing wasm kernels, built around the original (fallback + its setupFunc). */
const REPLACEMENTS: ReadonlyArray<[string, (original: KernelConfig | undefined) => KernelConfig]> = [
  [Conv2DBackpropInput, makeConv2dBackpropInputConfig],
  [Tile, makeTileConfig],
];

/** Registers the kernels for backendName 'wasm' (idempotent). */
export function registerWasmGradientKernels(): WasmKernelRegistration {
  if (registered !== undefined) return registered;
  const added: string[] = [];
  for (const config of [conv2dBackpropFilterConfig, depthwiseBackpropFilterConfig, depthwiseBackpropInputConfig]) {
    if (getKernel(config.kernelName, WASM_BACKEND_NAME) === undefined) {
      registerKernel(config);
      added.push(config.kernelName);
    }
  }
  added.push(...registerBatchNormKernels());
  const replaced: string[] = [];
  for (const [name, make] of REPLACEMENTS) {
    const original = getKernel(name, WASM_BACKEND_NAME);
    originals.set(name, original);
    if (original !== undefined) {
      unregisterKernel(name, WASM_BACKEND_NAME);
      replaced.push(name);
    } else {
      added.push(name);
    }
    registerKernel(make(original));
  }
  registered = { added, replaced };
  return registered;
}

/** The backend's original kernel `name` (Conv2DBackpropInput, Tile) after registration, for benchmarks and tests. */
export function originalWasmKernel(name: string): KernelConfig | undefined {
  return originals.get(name);
}
