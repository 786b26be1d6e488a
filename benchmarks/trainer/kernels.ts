/**
 * Trainer engine benchmark: training images/s of a 7-layer C=16 conv net (6 x conv3x3-BN-ReLU with strides
 * 1,1,2,1,2,1, global average pool, dense-10 softmax; SGD; 32x32x3 random inputs, random labels) on the `wasm`
 * backend with this project's kernels vs the pure-JS `cpu` backend, plus per-kernel timings of the backprop kernels.
 *
 *   node dist/benchmarks/trainer/kernels.js
 *
 * Env: BENCH_WASM_BATCH (64), BENCH_WASM_STEPS (10), BENCH_CPU_BATCH (8), BENCH_CPU_STEPS (2),
 *      BENCH_OUT (benchmarks/results/trainer-kernels.json).
 * The cpu backend needs seconds per image, so it is timed on a smaller batch and a few steps only (its cost is
 * per-image loops, so images/s hardly depends on the batch); wasm is also timed at that batch for a like-for-like
 * ratio. Random data: this measures speed, not learning.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { REPO_ROOT } from '../../src/config/config';
import { selectBackend } from '../../src/trainer/engine/backend';
import { originalWasmKernel } from '../../src/trainer/engine/wasm-kernels';
import { RunProvenance } from '../common/provenance';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const WASM_BATCH = env('BENCH_WASM_BATCH', 64);
const WASM_STEPS = env('BENCH_WASM_STEPS', 10);
const CPU_BATCH = env('BENCH_CPU_BATCH', 8);
const CPU_STEPS = env('BENCH_CPU_STEPS', 2);
const OUT = process.env.BENCH_OUT ?? path.join(REPO_ROOT, 'benchmarks', 'results', 'trainer-kernels.json');
const C = 16;
const STRIDES = [1, 1, 2, 1, 2, 1];

function buildNet(): tfl.Sequential {
  const m = tfl.sequential();
  STRIDES.forEach((strides, i) => {
    m.add(tfl.layers.conv2d({ ...(i === 0 ? { inputShape: [32, 32, 3] } : {}), filters: C, kernelSize: 3, strides, padding: 'same', useBias: false }));
    m.add(tfl.layers.batchNormalization());
    m.add(tfl.layers.reLU());
  });
  m.add(tfl.layers.globalAveragePooling2d({}));
  m.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
  m.compile({ optimizer: tf.train.sgd(0.01), loss: 'categoricalCrossentropy' });
  return m;
}

interface TrainTiming {
  backend: string;
  batch: number;
  steps: number;
  secondsPerStep: number;
  imagesPerSec: number;
}

async function timeTraining(backend: string, batch: number, steps: number, warmup: number): Promise<TrainTiming> {
  const model = buildNet();
  const x = tf.randomNormal([batch, 32, 32, 3]);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 10, 'int32'), 10);
  for (let i = 0; i < warmup; i++) await model.trainOnBatch(x, y);
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await model.trainOnBatch(x, y);
  const seconds = (performance.now() - t0) / 1000;
  tf.dispose([x, y]);
  model.dispose();
  return { backend, batch, steps, secondsPerStep: seconds / steps, imagesPerSec: (batch * steps) / seconds };
}

/** Every layer kind of a conv/BN/ReLU/pool/dense/softmax training step, for the kernel inventory. */
function buildInventoryNet(): tfl.Sequential {
  const m = tfl.sequential();
  m.add(tfl.layers.conv2d({ inputShape: [32, 32, 3], filters: 8, kernelSize: 3, padding: 'same' }));
  m.add(tfl.layers.batchNormalization());
  m.add(tfl.layers.reLU());
  m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tfl.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same' }));
  m.add(tfl.layers.averagePooling2d({ poolSize: 2 }));
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dense({ units: 10, activation: 'softmax' }));
  m.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
  return m;
}

/** Kernel names a training step runs (tf.profile on the current backend), op scopes left out. */
async function kernelsOfTrainingStep(model: tfl.Sequential): Promise<string[]> {
  const x = tf.randomNormal([2, 32, 32, 3]);
  const y = tf.oneHot(tf.tensor1d([1, 2], 'int32'), 10);
  const p = await tf.profile(async () => {
    await model.trainOnBatch(x, y);
  });
  tf.dispose([x, y]);
  model.dispose();
  return [...new Set(p.kernelNames)].filter((k) => !k.endsWith('__op')).sort();
}

interface KernelCase {
  kernel: string;
  shape: string;
  inputs: () => tf.NamedTensorMap;
  attrs: tf.NamedAttrMap;
}

function kernelCases(n: number): KernelCase[] {
  const cases: KernelCase[] = [];
  for (const s of [1, 2]) {
    const out = 32 / s;
    const shape = `x[${n},32,32,16] 3x3x16->16 stride ${s} same`;
    const convAttrs = { strides: s, pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined };
    cases.push({
      kernel: 'Conv2DBackpropFilter',
      shape,
      inputs: () => ({ x: tf.randomNormal([n, 32, 32, 16]), dy: tf.randomNormal([n, out, out, 16]) }),
      attrs: { ...convAttrs, filterShape: [3, 3, 16, 16] } as unknown as tf.NamedAttrMap,
    });
    cases.push({
      kernel: 'Conv2DBackpropInput',
      shape,
      inputs: () => ({ dy: tf.randomNormal([n, out, out, 16]), filter: tf.randomNormal([3, 3, 16, 16]) }),
      attrs: { ...convAttrs, inputShape: [n, 32, 32, 16] } as unknown as tf.NamedAttrMap,
    });
    const dwAttrs = { strides: s, pad: 'same', dilations: 1 };
    cases.push({
      kernel: 'DepthwiseConv2dNativeBackpropFilter',
      shape: `x[${n},32,32,16] 3x3x16x1 stride ${s} same`,
      inputs: () => ({ x: tf.randomNormal([n, 32, 32, 16]), dy: tf.randomNormal([n, out, out, 16]) }),
      attrs: { ...dwAttrs, filterShape: [3, 3, 16, 1] } as unknown as tf.NamedAttrMap,
    });
    cases.push({
      kernel: 'DepthwiseConv2dNativeBackpropInput',
      shape: `x[${n},32,32,16] 3x3x16x1 stride ${s} same`,
      inputs: () => ({ dy: tf.randomNormal([n, out, out, 16]), filter: tf.randomNormal([3, 3, 16, 1]) }),
      attrs: { ...dwAttrs, inputShape: [n, 32, 32, 16] } as unknown as tf.NamedAttrMap,
    });
  }
  cases.push({
    kernel: 'Tile',
    shape: `[1,1,1,16] -> [${n},32,32,16] (FusedBatchNorm gradient)`,
    inputs: () => ({ x: tf.randomNormal([1, 1, 1, 16]) }),
    attrs: { reps: [n, 32, 32, 1] },
  });
  return cases;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Median ms of `reps` runs (after one warm-up) of f; `raw` outputs (a kernelFunc called directly) bypass the engine. */
function timeMs(reps: number, f: () => tf.TensorInfo, raw = false): number {
  const dispose = (out: tf.TensorInfo): void => {
    if (raw) tf.engine().backend.disposeData(out.dataId);
    else tf.dispose(out as tf.Tensor);
  };
  dispose(f());
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const out = f();
    times.push(performance.now() - t0);
    dispose(out);
  }
  return median(times);
}

/** Runs the backend's stock kernel directly (not through the engine). */
const runOriginal = (original: tf.KernelConfig, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.TensorInfo =>
  original.kernelFunc({ inputs, backend: tf.backend() as unknown as BackendWasm, attrs }) as tf.TensorInfo;

interface KernelTiming {
  kernel: string;
  shape: string;
  wasmMs: number;
  /** The stock tfjs-backend-wasm kernel, where this project replaced one. */
  wasmOriginalMs?: number;
  cpuMs: number;
  cpuOverWasm: number;
}

async function timeKernels(n: number, wasmReps: number, cpuReps: number): Promise<KernelTiming[]> {
  const results: KernelTiming[] = [];
  for (const c of kernelCases(n)) {
    await tf.setBackend('wasm');
    const inputsW = c.inputs();
    const wasmMs = timeMs(wasmReps, () => tf.engine().runKernel(c.kernel, inputsW, c.attrs) as tf.Tensor);
    const original = originalWasmKernel(c.kernel);
    const wasmOriginalMs =
      original === undefined
        ? undefined
        : timeMs(wasmReps, () => runOriginal(original, inputsW, c.attrs), true);
    const data = Object.fromEntries(Object.entries(inputsW).map(([k, t]) => [k, { values: t.dataSync().slice(), shape: t.shape }]));
    tf.dispose(Object.values(inputsW));
    await tf.setBackend('cpu');
    const inputsC = Object.fromEntries(Object.entries(data).map(([k, d]) => [k, tf.tensor(d.values, d.shape)]));
    const cpuMs = timeMs(cpuReps, () => tf.engine().runKernel(c.kernel, inputsC, c.attrs) as tf.Tensor);
    tf.dispose(Object.values(inputsC));
    results.push({ kernel: c.kernel, shape: c.shape, wasmMs, ...(wasmOriginalMs !== undefined ? { wasmOriginalMs } : {}), cpuMs, cpuOverWasm: cpuMs / wasmMs });
    const orig = wasmOriginalMs !== undefined ? ` (stock wasm ${wasmOriginalMs.toFixed(2)} ms)` : '';
    console.log(`  ${c.kernel.padEnd(36)} ${c.shape.padEnd(48)} wasm ${wasmMs.toFixed(2).padStart(8)} ms${orig}  cpu ${cpuMs.toFixed(1).padStart(8)} ms  x${(cpuMs / wasmMs).toFixed(0)}`);
  }
  return results;
}

async function main(): Promise<void> {
  const prov = new RunProvenance('dist/benchmarks/trainer/kernels.js', ['BENCH_WASM_BATCH', 'BENCH_WASM_STEPS', 'BENCH_CPU_BATCH', 'BENCH_CPU_STEPS', 'BENCH_OUT'], { wasmBatch: WASM_BATCH, wasmSteps: WASM_STEPS, cpuBatch: CPU_BATCH, cpuSteps: CPU_STEPS, C, strides: STRIDES, out: OUT });
  // Which kernels a conv/BN/ReLU/pool/softmax training step needs that stock tfjs-backend-wasm 4.22 lacks
  // (read before this project's kernels are registered).
  const stockWasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  await tf.setBackend('cpu');
  const used = await kernelsOfTrainingStep(buildNet());
  const inventory = await kernelsOfTrainingStep(buildInventoryNet());
  const missingOnStockWasm = inventory.filter((k) => !stockWasm.has(k));
  console.log(`training step kernels (benchmark net): ${used.join(' ')}`);
  console.log(`training step kernels (conv, BN, ReLU, max/avg pool, depthwise, dense, softmax; adam): ${inventory.join(' ')}`);
  console.log(`of those, missing on stock tfjs-backend-wasm: ${missingOnStockWasm.join(' ') || 'none'}`);

  const choice = await selectBackend({ force: 'wasm' });
  console.log(`wasm backend: ${choice.reason}`);
  const stillMissing = inventory.filter((k) => tf.getKernel(k, 'wasm') === undefined);

  const wasmTrain = await timeTraining('wasm', WASM_BATCH, WASM_STEPS, 2);
  console.log(`wasm  batch ${WASM_BATCH}: ${wasmTrain.imagesPerSec.toFixed(1)} images/s (${(wasmTrain.secondsPerStep * 1000).toFixed(0)} ms/step)`);
  const wasmSmall = await timeTraining('wasm', CPU_BATCH, WASM_STEPS, 2);
  console.log(`wasm  batch ${CPU_BATCH}: ${wasmSmall.imagesPerSec.toFixed(1)} images/s`);
  await tf.setBackend('cpu');
  const cpuTrain = await timeTraining('cpu', CPU_BATCH, CPU_STEPS, 1);
  console.log(`cpu   batch ${CPU_BATCH}: ${cpuTrain.imagesPerSec.toFixed(2)} images/s (${cpuTrain.secondsPerStep.toFixed(1)} s/step)`);
  const ratioSameBatch = wasmSmall.imagesPerSec / cpuTrain.imagesPerSec;
  const ratioBest = wasmTrain.imagesPerSec / cpuTrain.imagesPerSec;
  console.log(`wasm/cpu training images/s: x${ratioSameBatch.toFixed(0)} at batch ${CPU_BATCH}; x${ratioBest.toFixed(0)} wasm@${WASM_BATCH} vs cpu@${CPU_BATCH}`);

  console.log(`per-kernel (median; wasm 10 runs, cpu 1 run after a warm-up), batch ${CPU_BATCH}:`);
  const kernels = await timeKernels(CPU_BATCH, 10, 1);
  console.log(`per-kernel at batch ${WASM_BATCH} (wasm only, cpu would take minutes):`);
  const kernelsWasm: Array<{ kernel: string; shape: string; wasmMs: number; wasmOriginalMs?: number }> = [];
  await tf.setBackend('wasm');
  for (const c of kernelCases(WASM_BATCH)) {
    const inputs = c.inputs();
    const wasmMs = timeMs(10, () => tf.engine().runKernel(c.kernel, inputs, c.attrs) as tf.Tensor);
    const original = originalWasmKernel(c.kernel);
    const wasmOriginalMs =
      original === undefined ? undefined : timeMs(5, () => runOriginal(original, inputs, c.attrs), true);
    tf.dispose(Object.values(inputs));
    kernelsWasm.push({ kernel: c.kernel, shape: c.shape, wasmMs, ...(wasmOriginalMs !== undefined ? { wasmOriginalMs } : {}) });
    const orig = wasmOriginalMs !== undefined ? ` (stock wasm ${wasmOriginalMs.toFixed(2)} ms)` : '';
    console.log(`  ${c.kernel.padEnd(36)} ${c.shape.padEnd(48)} wasm ${wasmMs.toFixed(2).padStart(8)} ms${orig}`);
  }

  const result = {
    benchmark: 'trainer-kernels',
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', loadAvg1m: os.loadavg()[0], node: process.version, tfjs: tf.version_core },
    note: 'random inputs and labels (speed only); cpu timed on a smaller batch and few steps because it needs seconds per image',
    net: { layers: '6 x conv3x3(C=16, no bias)-BN-ReLU, strides 1,1,2,1,2,1; global average pool; dense 10 softmax', input: [32, 32, 3], optimizer: 'sgd(0.01)' },
    wasmBackend: choice,
    trainingStepKernels: used,
    inventoryNet: 'conv3x3(8)-BN-ReLU, maxpool 2, depthwise 3x3 stride 2, avgpool 2, flatten, dense 10 softmax; adam',
    inventoryNetKernels: inventory,
    missingOnStockWasm,
    stillMissingOnWasm: stillMissing,
    training: { wasm: wasmTrain, wasmAtCpuBatch: wasmSmall, cpu: cpuTrain, wasmOverCpuSameBatch: ratioSameBatch, wasmBestOverCpu: ratioBest },
    kernelsAtCpuBatch: kernels,
    kernelsAtWasmBatch: kernelsWasm,
  };
  console.log(`wrote ${prov.writeResultJson(OUT, result)}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
