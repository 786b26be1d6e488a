// Backend selection of the trainer engine: the default order (tensorflow > webgpu > wasm > cpu, each only when
// its packages are installed and it initialises), TRAINER_BACKEND / opts.force, and clear errors.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { InvalidInputError } from '../../src/common/errors';
import { selectBackend, TRAINER_BACKEND_ENV } from '../../src/trainer/engine/backend';
import { BackendUnavailableError } from '../../src/trainer/engine/errors';

const installed = (pkg: string): boolean => {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
};
const hasTfNode = installed('@tensorflow/tfjs-node-gpu') || installed('@tensorflow/tfjs-node');
const hasWebgpu = installed('webgpu') && installed('@tensorflow/tfjs-backend-webgpu');

describe('trainer engine backend selection', () => {
  const saved = process.env[TRAINER_BACKEND_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[TRAINER_BACKEND_ENV];
    else process.env[TRAINER_BACKEND_ENV] = saved;
  });

  test('default order picks wasm when neither tfjs-node nor webgpu is installed, and says why', { skip: hasTfNode || hasWebgpu }, async () => {
    delete process.env[TRAINER_BACKEND_ENV];
    // The .wasm binary must come from node_modules on disk: any fetch (network) fails this test.
    const realFetch = globalThis.fetch;
    globalThis.fetch = (() => Promise.reject(new Error('fetch used while loading the wasm backend'))) as typeof fetch;
    const choice = await selectBackend().finally(() => {
      globalThis.fetch = realFetch;
    });
    assert.equal(choice.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.match(choice.reason, /tensorflow \(.*not installed\)/);
    assert.match(choice.reason, /webgpu \(.*not installed\)/);
    assert.match(choice.reason, /Conv2DBackpropFilter/);
  });

  test('TRAINER_BACKEND forces a backend; opts.force wins over it', async () => {
    process.env[TRAINER_BACKEND_ENV] = 'cpu';
    const cpu = await selectBackend();
    assert.deepEqual([cpu.name, tf.getBackend()], ['cpu', 'cpu']);
    assert.match(cpu.reason, /TRAINER_BACKEND=cpu/);
    const wasm = await selectBackend({ force: 'WASM' });
    assert.deepEqual([wasm.name, tf.getBackend()], ['wasm', 'wasm']);
  });

  test('an unknown name is a 400 naming the field; an unavailable forced backend is a 503 saying why', async () => {
    process.env[TRAINER_BACKEND_ENV] = 'tpu';
    await assert.rejects(selectBackend(), (e: unknown) => {
      assert.ok(e instanceof InvalidInputError);
      assert.equal(e.violations[0].field, TRAINER_BACKEND_ENV);
      assert.match(e.violations[0].message, /tensorflow, webgpu, wasm, cpu/);
      return true;
    });
    if (!hasTfNode) {
      await assert.rejects(selectBackend({ force: 'tensorflow' }), (e: unknown) => {
        assert.ok(e instanceof BackendUnavailableError);
        assert.equal(e.status, 503);
        assert.match(e.message, /'tensorflow' is not available: .*tfjs-node.* not installed/);
        return true;
      });
    }
    if (!hasWebgpu) await assert.rejects(selectBackend({ force: 'webgpu' }), BackendUnavailableError);
  });
});
