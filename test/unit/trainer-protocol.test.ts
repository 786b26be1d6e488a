import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { InvalidInputError, UnprocessableError } from '../../src/common/errors';
import {
  CheckpointCorruptError,
  checkpointFileName,
  decodeCheckpoint,
  encodeCheckpoint,
  readCheckpointFile,
  writeFileAtomic,
} from '../../src/trainer/checkpoint-file';
import { TrainerProtocolError, TrainerTaskError, describeError, errorFromChild } from '../../src/trainer/errors';
import { PROTOCOL_VERSION, parseChildMessage, parseParentMessage } from '../../src/trainer/protocol';
import { Semaphore } from '../../src/trainer/semaphore';

describe('trainer protocol: messages are validated at the boundary', () => {
  test('well-formed child messages parse to the same typed message', () => {
    const msgs = [
      { type: 'ready', pid: 123, protocolVersion: PROTOCOL_VERSION },
      { type: 'progress', taskId: 't', step: 5, epoch: 0.5, loss: 0.7, throughput: 1200.5, fraction: 0.25, message: 'epoch 1/2' },
      { type: 'progress', taskId: 't', step: 0, epoch: 0, loss: null, throughput: 0, fraction: 0, message: '' },
      { type: 'checkpoint', taskId: 't', path: '/tmp/x/step-1.ckpt', step: 1, epoch: 0.1 },
      { type: 'result', taskId: 't', result: { testAccuracy: 0.9, curve: [1, 2] } },
      { type: 'error', taskId: 't', error: { type: 'unprocessable', message: 'bad data' } },
    ];
    for (const m of msgs) assert.deepEqual(parseChildMessage(m), m);
  });

  test('malformed child messages are TrainerProtocolErrors naming every problem, never crashes', () => {
    const bad: Array<[unknown, RegExp]> = [
      [null, /expected an object, got null/],
      ['progress', /expected an object, got string/],
      [[1, 2], /got an array/],
      [{ type: 'hello' }, /unknown child message type "hello"/],
      [{ pid: 1 }, /unknown child message type undefined/],
      [{ type: 'ready', pid: 0, protocolVersion: 1.5 }, /pid must be a finite integer >= 1; protocolVersion must be a finite integer/],
      [
        { type: 'progress', taskId: 't', step: -1, epoch: 0, loss: 'high', throughput: 0, fraction: 2, message: 1 },
        /step must be .* >= 0; loss must be a finite number or null; fraction must be .* <= 1; message must be a string/,
      ],
      [{ type: 'progress', taskId: 't', step: 1, epoch: 0, loss: Number.NaN, throughput: 0, fraction: 0, message: '' }, /loss must be a finite number/],
      [{ type: 'checkpoint', taskId: '', path: '', step: 1.5, epoch: 0 }, /taskId must be a non-empty string; path must be a non-empty string; step must be a finite integer/],
      [{ type: 'result', taskId: 't' }, /result is required/],
      [{ type: 'error', taskId: 't', error: 'boom' }, /error message .error: expected an object/],
      [{ type: 'error', taskId: 't', error: { type: '', message: 3 } }, /type must be a non-empty string; message must be a string/],
    ];
    for (const [raw, re] of bad) {
      assert.throws(
        () => parseChildMessage(raw),
        (e: unknown) => e instanceof TrainerProtocolError && e.type === 'trainer-protocol' && re.test(e.message),
        `expected ${re} for ${JSON.stringify(raw)}`,
      );
    }
  });

  test('parent messages: start and cancel parse, resumeFrom is optional and checked', () => {
    const start = { type: 'start', taskId: 'a', task: 'linear-baseline', input: { epochs: 1 }, resumeFrom: { path: '/c/step.ckpt', step: 3, epoch: 1 }, checkpointDir: '/c' };
    assert.deepEqual(parseParentMessage(start), start);
    assert.equal(parseParentMessage({ ...start, resumeFrom: undefined }).type, 'start');
    assert.equal((parseParentMessage({ ...start, resumeFrom: undefined }) as { resumeFrom: unknown }).resumeFrom, null);
    assert.deepEqual(parseParentMessage({ type: 'cancel', taskId: 'a' }), { type: 'cancel', taskId: 'a' });
    assert.throws(() => parseParentMessage({ ...start, resumeFrom: { path: 7 } }), /resumeFrom: path must be a non-empty string/);
    assert.throws(() => parseParentMessage({ type: 'start', taskId: 'a', task: 'x', checkpointDir: '/c' }), /input is required/);
    assert.throws(() => parseParentMessage({ type: 'stop', taskId: 'a' }), TrainerProtocolError);
  });

  test('errors cross the boundary with their type: domain errors come back as the same class', () => {
    const info = describeError(new UnprocessableError('dataset unreadable'));
    assert.deepEqual(info, { type: 'unprocessable', message: 'dataset unreadable' });
    assert.ok(errorFromChild(info) instanceof UnprocessableError);
    assert.ok(errorFromChild(describeError(new InvalidInputError('bad'))) instanceof InvalidInputError);
    const other = errorFromChild(describeError(new RangeError('oops')));
    assert.ok(other instanceof TrainerTaskError);
    assert.equal((other as TrainerTaskError).type, 'RangeError');
    assert.equal(errorFromChild({ type: 'aborted', message: 'x' }).name, 'AbortError');
  });
});

describe('checkpoint files', () => {
  test('encode/decode round-trips typed arrays bit-exactly and detects corruption', () => {
    const w = Float64Array.from([0.1, -2.5e-300, Math.PI, Number.MIN_VALUE]);
    const v = Float32Array.from([1.5, -0]);
    const u = Uint32Array.from([0xffffffff, 7, 0]);
    const buf = encodeCheckpoint({ meta: { step: 12, nested: { a: [1, 2] } }, arrays: { w, v, u } });
    const c = decodeCheckpoint(buf);
    assert.deepEqual(c.meta, { step: 12, nested: { a: [1, 2] } });
    assert.deepEqual(Buffer.from(c.arrays.w.buffer), Buffer.from(w.buffer));
    assert.ok(c.arrays.v instanceof Float32Array && c.arrays.u instanceof Uint32Array);
    assert.deepEqual([...c.arrays.u], [0xffffffff, 7, 0]);
    const flipped = Buffer.from(buf);
    flipped[flipped.length - 3] ^= 1;
    assert.throws(() => decodeCheckpoint(flipped), (e: unknown) => e instanceof CheckpointCorruptError && /checksum/.test((e as Error).message));
    assert.throws(() => decodeCheckpoint(buf.subarray(0, buf.length - 8)), CheckpointCorruptError);
    assert.throws(() => decodeCheckpoint(Buffer.from('hello world, not a checkpoint')), /bad magic/);
  });

  test('atomic write leaves exactly the final file; a missing file is CheckpointCorruptError', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainer-ckpt-'));
    try {
      const file = path.join(dir, 'sub', checkpointFileName(42));
      await writeFileAtomic(file, encodeCheckpoint({ meta: { step: 42 }, arrays: {} }));
      assert.deepEqual(fs.readdirSync(path.join(dir, 'sub')), ['step-0000000042.ckpt']);
      assert.equal(readCheckpointFile(file).meta.step, 42);
      assert.throws(() => readCheckpointFile(path.join(dir, 'nope.ckpt')), CheckpointCorruptError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Semaphore', () => {
  test('Semaphore: at most `size` holders; an aborted waiter leaves the queue', async () => {
    const s = new Semaphore(1);
    const r1 = await s.acquire();
    const ac = new AbortController();
    const w2 = s.acquire(ac.signal, () => new Error('gave up'));
    let got3 = false;
    const w3 = s.acquire().then((r) => {
      got3 = true;
      return r;
    });
    assert.equal(s.waiting, 2);
    ac.abort();
    await assert.rejects(w2, /gave up/);
    assert.equal(s.waiting, 1);
    assert.equal(got3, false);
    r1();
    const r3 = await w3;
    assert.equal(s.inUse, 1);
    r3();
    r3(); // releasing twice is harmless
    assert.equal(s.inUse, 0);
  });
});
