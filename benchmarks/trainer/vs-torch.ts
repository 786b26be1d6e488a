/**
 * This service's CPU training vs PyTorch on the same cores, one command for the three nets of issue #9:
 *   conv7 (7-layer C=16 conv net, batch 64), nb201 (NB201 cell net C=16 N=5, batch 256 in ONE pass) and
 *   mbconv (MBConv supernet step with squeeze-and-excitation: ScaleNet's super-supernet on one fixed path, batch 64;
 *   see nets.ts). The JSON states each net (for mbconv every block) and both sides' parameter counts, which must agree.
 * For each net, in turn (never two at once), alternating sides: this service's training step (Sgd.step of
 * src/trainer/engine: forward with BN batch statistics, backward, SGD Nesterov momentum 0.9, weight decay 5e-4) in a
 * fresh node process on the `wasm` backend (or BENCH_BACKEND) with 1 thread and with TRAINER_WASM_THREADS=2 (conv
 * kernels' batch split over a helper thread), and the same net and optimiser in PyTorch
 * (benchmarks/trainer/torch_side.py) with 2 threads and with 1 thread, when `import torch` works in a python3
 * (BENCH_PYTHON, else /usr/bin/python3, else python3 on PATH); the JSON says when it does not. Per net: images/s of both, the ratio, peak memory of both
 * processes, and a per-kernel time breakdown of one profiled step (tf.profile here, torch.profiler there).
 *
 *   npm run bench:trainer-vs-torch        (node dist/benchmarks/trainer/vs-torch.js)
 *
 * Env: BENCH_NETS (conv7,nb201,mbconv), BENCH_STEPS (timed steps per net; default 6 / 2 / 3), BENCH_BACKEND (wasm),
 *      BENCH_PYTHON, BENCH_OUR_THREADS (1,2), BENCH_OUT (benchmarks/results/trainer-vs-torch.json). Random data: speed only, not learning.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../src/common/rng';
import { REPO_ROOT } from '../../src/config/config';
import { selectBackend } from '../../src/trainer/engine/backend';
import { Sgd } from '../../src/trainer/engine/train-loop';
import { RunProvenance } from '../common/provenance';
import { buildCase, NET_NAMES, NetName } from './nets';

const OUT = process.env.BENCH_OUT ?? path.join(REPO_ROOT, 'benchmarks', 'results', 'trainer-vs-torch.json');
const BATCH: Record<NetName, number> = { conv7: 64, nb201: 256, mbconv: 64 };
const DEFAULT_STEPS: Record<NetName, number> = { conv7: 6, nb201: 2, mbconv: 3 };
const WARMUP: Record<NetName, number> = { conv7: 2, nb201: 1, mbconv: 1 };
const LR = 0.01;
/** This service's thread settings to time (TRAINER_WASM_THREADS): 1, and 2 (conv kernels' batch split). */
const OUR_THREADS = (process.env.BENCH_OUR_THREADS ?? '1,2').split(',').map(Number);
const TORCH_SCRIPT = path.join(REPO_ROOT, 'benchmarks', 'trainer', 'torch_side.py');

export interface KernelShare {
  kernel: string;
  calls: number;
  ms: number;
  share: number;
}

export interface SideResult {
  side: string;
  backend: string;
  threads: number;
  batch: number;
  steps: number;
  secondsPerStep: number[];
  imagesPerSec: number;
  /** Peak resident set size of the process (MiB). */
  peakRssMiB: number;
  /** wasm only: size of the wasm heap after the run (it only grows: the peak), MiB. */
  wasmHeapMiB?: number;
  /** Peak bytes of live tensors during the profiled step (tf.profile), MiB. */
  profilePeakTensorMiB?: number;
  /** One profiled step, time per kernel (self time), largest first. */
  kernels: KernelShare[];
  profiledStepMs: number;
  loss: number;
  /** `uptime` right after this side ran. */
  uptime?: string;
  /** PyTorch side: the net it built (mbconv: its blocks) and its parameter counts (total, used by the step). */
  net?: unknown;
  params?: { total: number; used: number };
  /** mbconv: self time of the conv kernels, depthwise apart from dense (ms, share of the profiled step). */
  convSplit?: Record<string, { ms: number; share: number }>;
}

/** This service's conv kernels of one profiled step, depthwise (DepthwiseConv2dNative*) apart from dense (Conv2D*). */
function ourConvSplit(kernels: KernelShare[]): Record<string, { ms: number; share: number }> {
  const out: Record<string, { ms: number; share: number }> = {};
  for (const k of kernels) {
    if (!/^(DepthwiseConv2d|Conv2D)/.test(k.kernel)) continue;
    out[`${k.kernel.startsWith('Depthwise') ? 'depthwise' : 'dense'} ${k.kernel}`] = { ms: k.ms, share: k.share };
  }
  return out;
}

function randomBatch(n: number, seed: number): { x: Float32Array; y: Int32Array; shape: [number, number, number, number] } {
  const rng = Rng.fromSeed(seed);
  const x = new Float32Array(n * 32 * 32 * 3);
  for (let i = 0; i < x.length; i++) x[i] = rng.next() * 2 - 1;
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = Math.floor(rng.next() * 10);
  return { x, y, shape: [n, 32, 32, 3] };
}

function aggregate(kernels: ReadonlyArray<{ name: string; kernelTimeMs: number | { error: string } }>): { list: KernelShare[]; total: number } {
  const by = new Map<string, { calls: number; ms: number }>();
  for (const k of kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const e = by.get(k.name) ?? { calls: 0, ms: 0 };
    e.calls++;
    e.ms += ms;
    by.set(k.name, e);
  }
  const total = [...by.values()].reduce((s, e) => s + e.ms, 0);
  const list = [...by.entries()].map(([kernel, e]) => ({ kernel, calls: e.calls, ms: e.ms, share: total > 0 ? e.ms / total : 0 })).sort((a, b) => b.ms - a.ms);
  return { list, total };
}

/** This service's side of one net, in this (fresh) process. */
async function tfjsSide(name: NetName, steps: number): Promise<SideResult> {
  const choice = await selectBackend({ force: process.env.BENCH_BACKEND ?? 'wasm' });
  tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
  const batch = BATCH[name];
  const warmup = WARMUP[name];
  const c = buildCase(name);
  const sgd = new Sgd(c.net, { momentum: 0.9, weightDecay: 5e-4, nesterov: true });
  const data = randomBatch(batch, 7);
  let s = 0;
  let loss = NaN;
  const step = (): number => {
    c.beforeStep(s++);
    return sgd.step(data, LR, 0);
  };
  for (let i = 0; i < warmup; i++) step();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    loss = step();
    times.push((performance.now() - t0) / 1000);
  }
  if (!Number.isFinite(loss)) throw new Error(`non-finite loss ${loss}`);
  const t0 = performance.now();
  const prof = await tf.profile(() => {
    step();
  });
  const profiledStepMs = performance.now() - t0;
  const { list } = aggregate(prof.kernels as unknown as Array<{ name: string; kernelTimeMs: number }>);
  const wasm = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm;
  sgd.dispose();
  c.dispose();
  const total = times.reduce((a, b) => a + b, 0);
  return {
    side: 'this service',
    backend: `${choice.name}: ${choice.reason}`,
    threads: Number(process.env.TRAINER_WASM_THREADS ?? 1),
    batch,
    steps,
    secondsPerStep: times,
    imagesPerSec: (batch * steps) / total,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    ...(wasm ? { wasmHeapMiB: wasm.HEAPU8.length / 2 ** 20 } : {}),
    profilePeakTensorMiB: prof.peakBytes / 2 ** 20,
    kernels: list,
    profiledStepMs,
    loss,
  };
}

/** The first python3 in which `import torch` works, and why the others did not. */
function findTorchPython(): { python: string | null; tried: string[] } {
  const candidates = [process.env.BENCH_PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => p !== undefined && p !== '');
  const tried: string[] = [];
  for (const p of candidates) {
    const r = spawnSync(p, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (r.status === 0) return { python: p, tried: [...tried, `${p}: torch ${r.stdout.trim()}`] };
    tried.push(`${p}: ${r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`)}`);
  }
  return { python: null, tried };
}

function lastJsonLine(stdout: string): unknown {
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('RESULT '));
  if (line === undefined) throw new Error(`no RESULT line in:\n${stdout.slice(-2000)}`);
  return JSON.parse(line.slice('RESULT '.length));
}

function runChild(cmd: string, args: string[], env: NodeJS.ProcessEnv): { result: unknown; wallSeconds: number } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-3000)}`);
  return { result: lastJsonLine(r.stdout), wallSeconds: (performance.now() - t0) / 1000 };
}

function uptime(): string {
  const r = spawnSync('uptime', [], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : `loadavg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}

function top(kernels: KernelShare[], n: number): string {
  return kernels
    .slice(0, n)
    .map((k) => `${k.kernel} ${(k.share * 100).toFixed(0)}%`)
    .join(', ');
}

async function orchestrate(): Promise<void> {
  const nets = (process.env.BENCH_NETS ?? NET_NAMES.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is NetName => (NET_NAMES as readonly string[]).includes(s));
  const stepsOf = (n: NetName): number => Number(process.env.BENCH_STEPS ?? DEFAULT_STEPS[n]);
  const config = { nets, ourThreads: OUR_THREADS, batch: BATCH, steps: Object.fromEntries(nets.map((n) => [n, stepsOf(n)])), warmup: WARMUP, lr: LR, optimizer: 'SGD Nesterov momentum 0.9, weight decay 5e-4', backend: process.env.BENCH_BACKEND ?? 'wasm', out: OUT };
  const prov = new RunProvenance('dist/benchmarks/trainer/vs-torch.js', ['BENCH_NETS', 'BENCH_STEPS', 'BENCH_BACKEND', 'BENCH_PYTHON', 'BENCH_OUR_THREADS', 'BENCH_OUT'], config);
  const started = performance.now();
  const torch = findTorchPython();
  console.log(torch.python ? `PyTorch side: ${torch.tried[torch.tried.length - 1]}` : `PyTorch side NOT run: import torch failed (${torch.tried.join('; ')})`);
  const results: Record<string, unknown> = {};
  const loads: string[] = [uptime()];
  for (const name of nets) {
    const steps = stepsOf(name);
    const desc = buildDescription(name);
    const entry: Record<string, unknown> = { description: desc.describe, batch: BATCH[name], net: desc.torch, params: { thisService: desc.params } };
    console.log(`${name}: ${desc.describe}`);
    const ours = (threads: number): SideResult => {
      const r = runChild(process.execPath, [__filename], { ...process.env, BENCH_SIDE: 'tfjs', BENCH_NET: name, BENCH_STEPS: String(steps), TRAINER_WASM_THREADS: String(threads) }).result as SideResult;
      r.threads = threads;
      r.uptime = uptime();
      if (name === 'mbconv') r.convSplit = ourConvSplit(r.kernels);
      entry[`thisService${threads}Thread${threads > 1 ? 's' : ''}`] = r;
      console.log(`${name} (batch ${r.batch}): this service, ${threads} thread(s): ${r.imagesPerSec.toFixed(1)} img/s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB (wasm heap ${r.wasmHeapMiB?.toFixed(0) ?? '-'} MiB); top kernels: ${top(r.kernels, 6)}`);
      return r;
    };
    const theirs = (threads: number): SideResult | null => {
      if (torch.python === null) return null;
      const spec = JSON.stringify({ ...desc.torch, batch: BATCH[name], steps, warmup: WARMUP[name], lr: LR });
      const t = runChild(torch.python, [TORCH_SCRIPT, String(threads), spec], { ...process.env, OMP_NUM_THREADS: String(threads) }).result as SideResult;
      t.uptime = uptime();
      entry[`torch${threads}Thread${threads > 1 ? 's' : ''}`] = t;
      console.log(`  PyTorch ${threads} thread(s): ${t.imagesPerSec.toFixed(1)} img/s, peak RSS ${t.peakRssMiB.toFixed(0)} MiB; top ops: ${top(t.kernels, 6)}`);
      return t;
    };
    const depthwise = (r: SideResult | null): string => {
      const d = Object.entries(r?.convSplit ?? {}).filter(([k]) => k.startsWith('depthwise'));
      return `${d.reduce((a, [, v]) => a + v.ms, 0).toFixed(0)} ms (${(d.reduce((a, [, v]) => a + v.share, 0) * 100).toFixed(0)}%)`;
    };
    // alternate the sides so that a change of machine load hits both
    const ours1 = ours(1);
    const torch2 = theirs(2);
    const ours2 = OUR_THREADS.includes(2) ? ours(2) : null;
    const torch1 = theirs(1);
    const torchParams = torch2?.params ?? torch1?.params ?? null;
    if (torchParams !== null) {
      const same = torchParams.total === desc.params.total && torchParams.used === desc.params.used;
      entry.params = { thisService: desc.params, torch: torchParams, same };
      console.log(`  parameters (scalars; total / used by the step): this service ${desc.params.total} / ${desc.params.used}, PyTorch ${torchParams.total} / ${torchParams.used}: ${same ? 'same' : 'DIFFERENT'}`);
      if (!same) throw new Error(`${name}: the two sides' parameter counts differ`);
    }
    if (torch2?.net !== undefined && JSON.stringify(torch2.net) !== JSON.stringify((desc.torch as { path?: { blocks?: unknown } }).path?.blocks ?? torch2.net)) {
      throw new Error(`${name}: PyTorch built other blocks than this side: ${JSON.stringify(torch2.net)}`);
    }
    const best = ours2 !== null && ours2.imagesPerSec > ours1.imagesPerSec ? ours2 : ours1;
    entry.summary = {
      thisService1ThreadImagesPerSec: ours1.imagesPerSec,
      thisService2ThreadsImagesPerSec: ours2?.imagesPerSec ?? null,
      torch2ThreadsImagesPerSec: torch2?.imagesPerSec ?? null,
      torch1ThreadImagesPerSec: torch1?.imagesPerSec ?? null,
      bestOfThisServiceOverTorch2Threads: torch2 ? best.imagesPerSec / torch2.imagesPerSec : null,
      bestThisServiceThreads: best.threads,
      thisService1ThreadOverTorch1Thread: torch1 ? ours1.imagesPerSec / torch1.imagesPerSec : null,
      peakRssMiB: { thisService: best.peakRssMiB, torch2Threads: torch2?.peakRssMiB ?? null },
    };
    if (name === 'mbconv') console.log(`  depthwise conv kernels of the profiled step, 1 thread: this service ${depthwise(ours1)}, PyTorch ${depthwise(torch1)}`);
    if (torch2) console.log(`  ratio (best of this service, ${best.threads} thread(s)) / PyTorch 2 threads: ${(best.imagesPerSec / torch2.imagesPerSec).toFixed(2)}; 1 thread / 1 thread: ${torch1 ? (ours1.imagesPerSec / torch1.imagesPerSec).toFixed(2) : '-'}`);
    loads.push(uptime());
    results[name] = entry;
  }
  const summary = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, (v as { summary: unknown }).summary]));
  const result = {
    benchmark: 'trainer-vs-torch',
    note: 'random inputs and labels (speed only); each side in its own fresh process, run one after the other on the same cores; the machine is shared, so compare the ratios, and look at the load',
    pytorch: torch.python !== null ? { python: torch.python, found: torch.tried } : { python: null, notRunBecause: torch.tried },
    uptime: loads,
    summary,
    nets: results,
    totalSeconds: (performance.now() - started) / 1000,
  };
  console.log(`wrote ${prov.writeResultJson(OUT, result)}`);
}

function buildDescription(name: NetName): { describe: string; torch: Record<string, unknown>; params: { total: number; used: number } } {
  const c = buildCase(name);
  const out = { describe: c.describe, torch: c.torch, params: c.params };
  c.dispose();
  return out;
}

async function main(): Promise<void> {
  if (process.env.BENCH_SIDE === 'tfjs') {
    const name = process.env.BENCH_NET as NetName;
    const r = await tfjsSide(name, Number(process.env.BENCH_STEPS ?? DEFAULT_STEPS[name]));
    console.log(`RESULT ${JSON.stringify(r)}`);
    return;
  }
  await selectBackend({ force: 'cpu' }); // the orchestrator only builds descriptions
  await orchestrate();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
