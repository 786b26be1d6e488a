/**
 * Latency measurement on the active TensorFlow.js backend: per unit (the LUT entries) and of whole networks (to
 * check the LUT's sum against). One timed run = forward of one batch-1 input + reading the output back
 * (`await y.data()`, so asynchronous backends have finished); warm-up runs first (kernel compilation, XNNPACK
 * operator caches); the entry is the median of the timed runs.
 */
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import { LATENCY_TABLE_FORMAT, LatencyMeasurement, LatencyTable, LatencyUnit, distinctUnits, unitKey } from '../../search/spaces/cost';
import { buildForward } from './unit-forward';

export interface MeasureOptions {
  warmup: number;
  runs: number;
  /** Called between units (cancellation point). */
  boundary?: () => Promise<void>;
  onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_MEASURE: Pick<MeasureOptions, 'warmup' | 'runs'> = { warmup: 3, runs: 11 };
export const TIMER_DOC = 'forward of one batch-1 input + await output.data(), performance.now()';

export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('median of nothing');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median ms of `runs` timed forwards of a chain of units (after `warmup` untimed ones): wall clock and process CPU time. */
export async function measureChainTimes(units: readonly LatencyUnit[], opts: Pick<MeasureOptions, 'warmup' | 'runs'>): Promise<{ wallMs: number; cpuMs: number }> {
  if (!Number.isInteger(opts.runs) || opts.runs < 1 || !Number.isInteger(opts.warmup) || opts.warmup < 0) throw new RangeError('runs must be >= 1 and warmup >= 0 (integers)');
  const net = buildForward(units);
  const { c, h, w } = net.input;
  const x = tf.randomNormal([1, h, w, c], 0, 1, 'float32', 7) as tf.Tensor4D;
  const wall: number[] = [];
  const cpu: number[] = [];
  try {
    for (let i = 0; i < opts.warmup + opts.runs; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const y = tf.tidy(() => net.forward(x));
      await y.data();
      const dt = performance.now() - t0;
      const dc = process.cpuUsage(c0);
      y.dispose();
      if (i >= opts.warmup) {
        wall.push(dt);
        cpu.push((dc.user + dc.system) / 1000);
      }
    }
  } finally {
    x.dispose();
    net.dispose();
  }
  return { wallMs: median(wall), cpuMs: median(cpu) };
}

/** Median wall-clock ms of a chain of units (see measureChainTimes). */
export async function measureChainMs(units: readonly LatencyUnit[], opts: Pick<MeasureOptions, 'warmup' | 'runs'>): Promise<number> {
  return (await measureChainTimes(units, opts)).wallMs;
}

/** The backend's thread count where it has one (wasm), else null. */
export function backendThreads(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  try {
    return tfwasm.getThreadsCount();
  } catch {
    return null;
  }
}

export function machineDescription(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model?.trim() ?? 'unknown CPU'} x${cpus.length}, ${os.hostname()}`;
}

/** Measures every distinct unit and returns the table (the backend must already be active). */
export async function buildLatencyTable(space: string, inputShape: [number, number, number], units: Iterable<LatencyUnit>, opts: MeasureOptions): Promise<LatencyTable> {
  const t0 = performance.now();
  const list = distinctUnits(units);
  const entries: Record<string, number> = {};
  const cpuEntries: Record<string, number> = {};
  const load0 = os.loadavg()[0];
  const [h, w, c] = inputShape;
  const overhead = await measureChainTimes([{ kind: 'layer', input: { c, h, w }, spec: { kind: 'identity' } }], opts);
  for (let i = 0; i < list.length; i++) {
    await opts.boundary?.();
    const t = await measureChainTimes([list[i]], opts);
    entries[unitKey(list[i])] = t.wallMs;
    cpuEntries[unitKey(list[i])] = t.cpuMs;
    opts.onProgress?.(i + 1, list.length);
  }
  const measurement: LatencyMeasurement = { warmup: opts.warmup, runs: opts.runs, statistic: 'median', batchSize: 1, timer: TIMER_DOC };
  return {
    format: LATENCY_TABLE_FORMAT,
    space,
    backend: tf.getBackend(),
    threads: backendThreads(),
    inputShape,
    machine: machineDescription(),
    measurement,
    builtAt: new Date().toISOString(),
    buildSeconds: (performance.now() - t0) / 1000,
    overheadMs: overhead.wallMs,
    cpuOverheadMs: overhead.cpuMs,
    loadAvg1m: [load0, os.loadavg()[0]],
    entries,
    cpuEntries,
  };
}
