/**
 * The gradient kernels this project adds to the tfjs `wasm` backend (tfjs-backend-wasm 4.22 lacks
 * Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter and DepthwiseConv2dNativeBackpropInput, and its
 * Conv2DBackpropInput is a slow C++ loop). Register them before the first training step.
 */
import { getKernel, registerKernel, unregisterKernel, Conv2DBackpropInput } from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter';
import { makeConv2dBackpropInputConfig } from './conv2d-backprop-input';
import { depthwiseBackpropFilterConfig } from './depthwise-backprop-filter';
import { depthwiseBackpropInputConfig } from './depthwise-backprop-input';
import { WASM_BACKEND_NAME } from './wasm-ops';

export { conv2dBackpropFilterWasm } from './conv2d-backprop-filter';
export { conv2dBackpropInputWasm } from './conv2d-backprop-input';
export { depthwiseBackpropFilterWasm } from './depthwise-backprop-filter';
export { depthwiseBackpropInputWasm } from './depthwise-backprop-input';

export interface WasmKernelRegistration {
  /** Kernels that were missing on wasm and are now provided. */
  added: string[];
  /** Kernels of the backend replaced by faster ones (the original stays reachable as a fallback). */
  replaced: string[];
}

/** The backend's own Conv2DBackpropInput, kept for what the replacement does not handle. */
let originalConv2DBackpropInput: KernelConfig | undefined;
let registered: WasmKernelRegistration | undefined;

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
  const replaced: string[] = [];
  originalConv2DBackpropInput = getKernel(Conv2DBackpropInput, WASM_BACKEND_NAME);
  if (originalConv2DBackpropInput !== undefined) {
    unregisterKernel(Conv2DBackpropInput, WASM_BACKEND_NAME);
    replaced.push(Conv2DBackpropInput);
  } else {
    added.push(Conv2DBackpropInput);
  }
  registerKernel(makeConv2dBackpropInputConfig(originalConv2DBackpropInput));
  registered = { added, replaced };
  return registered;
}

/** The backend's original Conv2DBackpropInput kernel (after registration), for benchmarks and tests. */
export function originalWasmConv2DBackpropInput(): KernelConfig | undefined {
  return originalConv2DBackpropInput;
}
