/**
 * NB201 training benchmark: training images/s of the NB201 ResNet-like cell network
 * (|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|, C=16, N=5, 32x32x3, 10 classes)
 * with this project's training step (src/trainer/nb201: forward with BN batch statistics, backward, SGD Nesterov +
 * weight decay) on the `wasm` backend at batch 256, and on the pure-JS `cpu` backend at a small batch for a few
 * steps only (cpu is ~100-200x slower); wasm is also timed at the cpu batch for a like-for-like ratio.
 * Real CIFAR-10 images from the builtin subset (crop + flip as in training); speed only, not learning.
 *
 *   node dist/benchmarks/trainer/nb201.js
 *
 * Batch 256 trains in one pass since the fused BatchNorm kernels (src/trainer/engine/wasm-kernels/batch-norm.ts;
 * before them it overflowed the wasm heap and ran as 2 x 128 micro-batches). BENCH_WASM_MICRO < batch runs gradient
 * accumulation over micro-batches (BN statistics per micro-batch); the JSON says so.
 *
 * Env: BENCH_WASM_BATCH (256), BENCH_WASM_MICRO (= batch: one pass), BENCH_WASM_STEPS (3), BENCH_CPU_BATCH (1), BENCH_CPU_STEPS (1),
 *      BENCH_OUT (benchmarks/results/trainer-cellnet.json). One untimed warm-up step per backend and batch.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArchStr } from '../../src/benchmarks/nb201/arch';
import { REPO_ROOT, loadConfig } from '../../src/config/config';
import { loadBuiltinDataset } from '../../src/datasets/formats';
import { trainValidStreams } from '../../src/datasets/pipeline';
import { BackendChoice, selectBackend } from '../../src/trainer/engine/backend';
import { Nb201Network } from '../../src/trainer/nb201/model';
import { Sgd } from '../../src/trainer/engine/train-loop';
import { RunProvenance } from '../common/provenance';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const WASM_BATCH = env('BENCH_WASM_BATCH', 256);
const WASM_STEPS = env('BENCH_WASM_STEPS', 3);
/** Before the fused BatchNorm, batch 256 overflowed the wasm heap in one pass and needed 128 here. */
const WASM_MICRO = env('BENCH_WASM_MICRO', WASM_BATCH);
const CPU_BATCH = env('BENCH_CPU_BATCH', 1);
const CPU_STEPS = env('BENCH_CPU_STEPS', 1);
const OUT = process.env.BENCH_OUT ?? path.join(REPO_ROOT, 'benchmarks', 'results', 'trainer-cellnet.json');
const ARCH = '|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|';
const C = 16;
const N = 5;

interface Timing {
  backend: string;
  reason: string;
  batch: number;
  microBatch: number;
  steps: number;
  secondsPerStep: number;
  imagesPerSec: number;
}

async function time(force: 'wasm' | 'cpu', batch: number, steps: number, microBatch = batch): Promise<Timing> {
  const choice: BackendChoice = await selectBackend({ force });
  const ds = loadBuiltinDataset('cifar10-subset', loadConfig().dataDir);
  const { train } = trainValidStreams(ds.train, { validFraction: 0, seed: 1, batchSize: batch, augment: { cropPadding: 4, horizontalFlip: true } });
  const net = new Nb201Network({ ops: parseArchStr(ARCH) ?? [], channels: C, cellsPerStage: N, inputShape: [32, 32, 3], numClasses: 10, seed: 1 });
  const sgd = new Sgd(net, { momentum: 0.9, weightDecay: 5e-4, nesterov: true });
  try {
    sgd.step(train.batchAt(0, 0), 0.1, 0, microBatch); // warm-up (kernel set-up, XNNPACK operator creation)
    let seconds = 0;
    for (let s = 0; s < steps; s++) {
      const b = train.batchAt(0, 1 + s); // data preparation is not timed
      const t0 = performance.now();
      const loss = sgd.step(b, 0.1, 0, microBatch);
      seconds += (performance.now() - t0) / 1000;
      if (!Number.isFinite(loss)) throw new Error(`non-finite loss on ${force}`);
    }
    const r = { backend: force, reason: choice.reason, batch, microBatch, steps, secondsPerStep: seconds / steps, imagesPerSec: (batch * steps) / seconds };
    console.log(`${force.padEnd(5)} batch ${String(batch).padStart(3)}${microBatch < batch ? ` (${batch / microBatch} x ${microBatch})` : ''}: ${r.secondsPerStep.toFixed(2)} s/step, ${r.imagesPerSec.toFixed(2)} images/s (${steps} timed steps)`);
    return r;
  } finally {
    sgd.dispose();
    net.dispose();
  }
}

async function main(): Promise<void> {
  const prov = new RunProvenance('dist/benchmarks/trainer/nb201.js', ['BENCH_WASM_BATCH', 'BENCH_WASM_MICRO', 'BENCH_WASM_STEPS', 'BENCH_CPU_BATCH', 'BENCH_CPU_STEPS', 'BENCH_OUT'], { wasmBatch: WASM_BATCH, wasmMicroBatch: WASM_MICRO, wasmSteps: WASM_STEPS, cpuBatch: CPU_BATCH, cpuSteps: CPU_STEPS, arch: ARCH, C, N, warmupStepsPerBackendAndBatch: 1, out: OUT });
  const started = performance.now();
  await selectBackend({ force: 'wasm' });
  const probe = new Nb201Network({ ops: parseArchStr(ARCH) ?? [], channels: C, cellsPerStage: N, inputShape: [32, 32, 3], numClasses: 10, seed: 1 });
  const params = probe.paramCount();
  probe.dispose();
  console.log(`NB201 ${ARCH} C=${C} N=${N}, 32x32x3, ${params} params`);
  const wasmBig = await time('wasm', WASM_BATCH, WASM_STEPS, Math.min(WASM_MICRO, WASM_BATCH));
  const wasmSmall = await time('wasm', CPU_BATCH, Math.max(CPU_STEPS, 3));
  const cpu = await time('cpu', CPU_BATCH, CPU_STEPS);
  const ratio = wasmSmall.imagesPerSec / cpu.imagesPerSec;
  console.log(`wasm / cpu at batch ${CPU_BATCH}: ${ratio.toFixed(1)}x; wasm batch ${WASM_BATCH} / cpu batch ${CPU_BATCH}: ${(wasmBig.imagesPerSec / cpu.imagesPerSec).toFixed(1)}x`);
  const result = {
    benchmark: 'nb201-training-throughput',
    arch: ARCH,
    C,
    N,
    params,
    input: [32, 32, 3],
    numClasses: 10,
    data: 'builtin cifar10-subset, random crop 4 + flip (speed only)',
    step: 'forward (BN batch statistics) + backward + SGD Nesterov momentum 0.9, weight decay 5e-4',
    timings: [wasmBig, wasmSmall, cpu],
    wasmOverCpuSameBatch: ratio,
    wasmBatchOverCpuBatch: wasmBig.imagesPerSec / cpu.imagesPerSec,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${os.platform()} ${os.arch()}` },
    totalSeconds: (performance.now() - started) / 1000,
  };
  console.log(`wrote ${prov.writeResultJson(OUT, result)}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
