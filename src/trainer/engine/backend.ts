/**
 * Picks the TensorFlow.js backend the trainer runs on. Order, unless TRAINER_BACKEND (or opts.force) names one:
 *   1. `tensorflow` (libtensorflow) from @tensorflow/tfjs-node-gpu or @tensorflow/tfjs-node, when installed
 *      (optional dependencies; not installed in this repository);
 *   2. `webgpu` through the `webgpu` package (Dawn) + @tensorflow/tfjs-backend-webgpu, when both are installed
 *      and Dawn finds a GPU adapter;
 *   3. `wasm` (XNNPACK, SIMD when the runtime has it) plus this project's gradient kernels (./wasm-kernels);
 *   4. `cpu` (pure JS; correct everywhere, ~100x slower than wasm for conv nets).
 * The returned `{ name, reason }` is what every training result reports as its backend.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import { InvalidInputError, violation } from '../../common/errors';
import { BackendUnavailableError } from './errors';
import { ensureGradientsRegistered } from './gradients';
import { registerWasmGradientKernels } from './wasm-kernels';
import { startBatchSplit } from './wasm-kernels/batch-split';

/**
 * TRAINER_WASM_THREADS=2 splits the wasm conv kernels' batch over the main thread and one helper worker thread (on a
 * machine with >= 2 cores); unset or 1: one thread (the default: the split sped up the MBConv supernet step and
 * slowed the conv7 and NB201 steps, benchmarks/results/trainer-vs-torch.json).
 */
export const TRAINER_WASM_THREADS_ENV = 'TRAINER_WASM_THREADS';

export type TrainerBackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';
export const TRAINER_BACKENDS: readonly TrainerBackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];
export const TRAINER_BACKEND_ENV = 'TRAINER_BACKEND';

export interface BackendChoice {
  name: TrainerBackendName;
  reason: string;
}

export interface SelectBackendOptions {
  /** Use exactly this backend (overrides TRAINER_BACKEND); fails when it is not available. */
  force?: string;
}

type Attempt = { ok: true; detail: string } | { ok: false; why: string };

function installed(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String((e as { message?: unknown })?.message ?? e);
}

async function activate(name: TrainerBackendName): Promise<Attempt> {
  try {
    if (!(await tf.setBackend(name))) return { ok: false, why: `tf.setBackend('${name}') failed to initialise it` };
    await tf.ready();
    return { ok: true, detail: '' };
  } catch (e) {
    return { ok: false, why: `tf.setBackend('${name}') threw: ${message(e)}` };
  }
}

async function tryTensorflow(): Promise<Attempt> {
  const pkgs = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];
  const present = pkgs.filter(installed);
  if (present.length === 0) return { ok: false, why: `${pkgs.join(' / ')} not installed` };
  const problems: string[] = [];
  for (const pkg of present) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional package: loaded only when installed
      require(pkg); // registers the 'tensorflow' backend (native libtensorflow binding)
    } catch (e) {
      problems.push(`${pkg} failed to load: ${message(e)}`);
      continue;
    }
    if (tf.findBackendFactory('tensorflow') === null) {
      problems.push(`${pkg} loaded but registered no 'tensorflow' backend with this @tensorflow/tfjs-core (version mismatch?)`);
      continue;
    }
    const a = await activate('tensorflow');
    if (a.ok) return { ok: true, detail: `from ${pkg}` };
    problems.push(`${pkg}: ${a.why}`);
  }
  return { ok: false, why: problems.join('; ') };
}

interface DawnModule {
  create(flags: string[]): { requestAdapter(): Promise<unknown> };
  globals: Record<string, unknown>;
}

async function tryWebgpu(): Promise<Attempt> {
  const missing = ['webgpu', '@tensorflow/tfjs-backend-webgpu'].filter((p) => !installed(p));
  if (missing.length > 0) return { ok: false, why: `${missing.join(' and ')} not installed` };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional package: loaded only when installed
    const dawn = require('webgpu') as DawnModule;
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create([]);
    const adapter = await gpu.requestAdapter();
    if (adapter === null || adapter === undefined) return { ok: false, why: 'Dawn found no GPU adapter' };
    const g = globalThis as { navigator?: { gpu?: unknown } };
    if (g.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    else if (g.navigator.gpu === undefined) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional package: loaded only when installed
    require('@tensorflow/tfjs-backend-webgpu');
  } catch (e) {
    return { ok: false, why: `webgpu setup failed: ${message(e)}` };
  }
  const a = await activate('webgpu');
  return a.ok ? { ok: true, detail: 'through Dawn (webgpu package)' } : a;
}

/** Directory of the .wasm binaries shipped with @tensorflow/tfjs-backend-wasm (loaded from disk, no fetch). */
export function wasmBinaryDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep;
}

async function tryWasm(): Promise<Attempt> {
  try {
    tfwasm.setWasmPaths(wasmBinaryDir());
  } catch (e) {
    return { ok: false, why: `setWasmPaths failed: ${message(e)}` };
  }
  const kernels = registerWasmGradientKernels();
  const a = await activate('wasm');
  if (!a.ok) return a;
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threads = tfwasm.getThreadsCount();
  const provided = [...kernels.added, ...kernels.replaced.map((k) => `${k} (replaced)`)];
  const split = await batchSplit();
  return { ok: true, detail: `XNNPACK, ${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread(s) per wasm instance, project gradient kernels: ${provided.join(', ')}; ${split}` };
}

/** Starts the conv kernels' helper thread (./wasm-kernels/batch-split.ts) when TRAINER_WASM_THREADS >= 2 and >= 2 cores. */
async function batchSplit(): Promise<string> {
  const env = process.env[TRAINER_WASM_THREADS_ENV];
  const cores = os.availableParallelism();
  if (env === undefined || env.trim() === '' || !(Number(env) >= 2)) return `batch split off (${TRAINER_WASM_THREADS_ENV}=${env ?? 'unset'}; set 2 to use a helper thread): 1 thread`;
  if (cores < 2) return 'batch split off (1 core): 1 thread';
  try {
    const kernels = await startBatchSplit(wasmBinaryDir());
    return `batch split over 2 threads (main + 1 helper worker, each its own wasm instance) for ${kernels.join(', ')}`;
  } catch (e) {
    return `batch split unavailable (${message(e)}): 1 thread`;
  }
}

async function tryCpu(): Promise<Attempt> {
  const a = await activate('cpu');
  return a.ok ? { ok: true, detail: 'pure JavaScript' } : a;
}

const ATTEMPTS: Record<TrainerBackendName, () => Promise<Attempt>> = {
  tensorflow: tryTensorflow,
  webgpu: tryWebgpu,
  wasm: tryWasm,
  cpu: tryCpu,
};

function isBackendName(s: string): s is TrainerBackendName {
  return (TRAINER_BACKENDS as readonly string[]).includes(s);
}

/** Activates the trainer backend (see the order above) and says which one and why. */
export async function selectBackend(opts: SelectBackendOptions = {}): Promise<BackendChoice> {
  ensureGradientsRegistered();
  const fromEnv = process.env[TRAINER_BACKEND_ENV];
  const forced = opts.force ?? (fromEnv !== undefined && fromEnv.trim() !== '' ? fromEnv.trim() : undefined);
  if (forced !== undefined) {
    const name = forced.toLowerCase();
    const field = opts.force !== undefined ? 'force' : TRAINER_BACKEND_ENV;
    if (!isBackendName(name)) {
      throw new InvalidInputError(`unknown trainer backend '${forced}'`, [
        violation(field, 'isIn', `${field} must be one of ${TRAINER_BACKENDS.join(', ')}`),
      ]);
    }
    const a = await ATTEMPTS[name]();
    if (!a.ok) throw new BackendUnavailableError(name, a.why);
    return { name, reason: `forced by ${opts.force !== undefined ? 'opts.force' : `${TRAINER_BACKEND_ENV}=${fromEnv}`}; ${a.detail}` };
  }
  const skipped: string[] = [];
  for (const name of TRAINER_BACKENDS) {
    const a = await ATTEMPTS[name]();
    if (a.ok) {
      const before = skipped.length > 0 ? `; skipped ${skipped.join('; ')}` : '';
      return { name, reason: `first available in order ${TRAINER_BACKENDS.join(' > ')}: ${a.detail}${before}` };
    }
    skipped.push(`${name} (${a.why})`);
  }
  throw new BackendUnavailableError('any', skipped.join('; '));
}
