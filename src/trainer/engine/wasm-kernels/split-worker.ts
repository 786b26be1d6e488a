/**
 * The helper thread of ./batch-split.ts: its own tfjs `wasm` backend (same kernels as the main thread's, without the
 * batch split), which runs the second half of a heavy conv kernel's batch while the main thread runs the first.
 * Requests arrive by message; inputs and the output live in a SharedArrayBuffer; completion is signalled through
 * an Int32Array status word (Atomics.notify) because the main thread waits synchronously inside its kernel.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels } from './index';
import type { SplitRequest } from './batch-split-protocol';
import { STATUS_DONE, STATUS_FAILED } from './batch-split-protocol';

async function start(wasmDir: string): Promise<void> {
  tfwasm.setWasmPaths(wasmDir);
  registerWasmGradientKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error('helper thread: wasm backend failed to initialise');
}

function run(req: SplitRequest): void {
  const status = new Int32Array(req.control);
  try {
    const out = tf.tidy(() => {
      const inputs: tf.NamedTensorMap = {};
      for (const i of req.inputs) inputs[i.name] = tf.tensor(new Float32Array(req.data, i.offset, i.size), i.shape, 'float32');
      return tf.engine().runKernel(req.kernel, inputs, req.attrs as tf.NamedAttrMap) as tf.Tensor;
    });
    const values = out.dataSync() as Float32Array;
    if (values.length * 4 > req.data.byteLength - req.outOffset) throw new Error('helper thread: output does not fit the shared buffer');
    new Float32Array(req.data, req.outOffset, values.length).set(values);
    out.shape.forEach((d, k) => (status[2 + k] = d));
    status[1] = out.shape.length;
    out.dispose();
    Atomics.store(status, 0, STATUS_DONE);
  } catch (e) {
    process.stderr.write(`batch-split helper: ${e instanceof Error ? e.message : String(e)}\n`);
    Atomics.store(status, 0, STATUS_FAILED);
  }
  Atomics.notify(status, 0);
}

if (parentPort !== null) {
  const port = parentPort;
  port.on('message', (msg: { init?: string; request?: SplitRequest }) => {
    if (msg.init !== undefined) {
      start(msg.init).then(
        () => port.postMessage({ ready: true }),
        (e: unknown) => port.postMessage({ ready: false, why: e instanceof Error ? e.message : String(e) }),
      );
    } else if (msg.request !== undefined) {
      run(msg.request);
    }
  });
}
