import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { DatasetStorage } from '../../src/datasets/dataset-storage';

const ID = '2f1c9a52-2d0e-4a51-9d8c-7b5c0e2a9f11';

describe('DatasetStorage', () => {
  let dir: string;
  let storage: DatasetStorage;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'datasets-storage-'));
    storage = new DatasetStorage(dir);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('store writes every file (chunks concatenated) into datasets/<id> and only then commits', async () => {
    let seenAtCommit: string[] = [];
    const r = await storage.store(ID, [{ name: 'a.bin', chunks: [Buffer.from('hello '), Buffer.from('world')] }, { name: 'b.bin', chunks: [] }], async () => {
      seenAtCommit = fs.readdirSync(path.join(dir, 'datasets', ID)).sort();
      return 42;
    });
    assert.equal(r, 42);
    assert.deepEqual(seenAtCommit, ['a.bin', 'b.bin']);
    assert.equal(fs.readFileSync(path.join(dir, 'datasets', ID, 'a.bin'), 'utf8'), 'hello world');
    assert.deepEqual(await storage.list(), [ID]);
    assert.equal(storage.relativePath(ID), `datasets/${ID}`);
    assert.equal(storage.resolve(`datasets/${ID}`), path.join(dir, 'datasets', ID));
  });

  test('a failed commit (DB insert) removes the directory again', async () => {
    await assert.rejects(
      storage.store(ID, [{ name: 'a.bin', chunks: [Buffer.alloc(10)] }], async () => {
        throw new Error('insert failed');
      }),
      /insert failed/,
    );
    assert.deepEqual(await storage.list(), []);
  });

  test('a failed write removes the temp directory and never commits', async () => {
    let committed = false;
    await assert.rejects(
      storage.store(ID, [{ name: 'ok.bin', chunks: [Buffer.alloc(3)] }, { name: '../escape', chunks: [Buffer.alloc(3)] }], async () => {
        committed = true;
      }),
      /bad stored file name/,
    );
    assert.equal(committed, false);
    assert.deepEqual(await storage.list(), []);
  });

  test('an existing dataset directory is never overwritten', async () => {
    await storage.store(ID, [{ name: 'a.bin', chunks: [Buffer.from('first')] }], async () => undefined);
    await assert.rejects(storage.store(ID, [{ name: 'a.bin', chunks: [Buffer.from('second')] }], async () => undefined), /already exists/);
    assert.equal(fs.readFileSync(path.join(dir, 'datasets', ID, 'a.bin'), 'utf8'), 'first');
    assert.deepEqual(await storage.list(), [ID]);
  });

  test('remove deletes the directory; removing a missing one is a no-op', async () => {
    await storage.store(ID, [{ name: 'a.bin', chunks: [Buffer.alloc(5)] }], async () => undefined);
    await storage.remove(`datasets/${ID}`);
    assert.deepEqual(await storage.list(), []);
    await storage.remove(`datasets/${ID}`);
  });

  test('paths outside the dataset root are refused', () => {
    assert.throws(() => storage.resolve('datasets/../../etc'), /outside/);
    assert.throws(() => storage.resolve('other/x'), /outside/);
    assert.throws(() => storage.relativePath('../x'), /not a UUID/);
  });

  test('sweep removes old temp/trash leftovers only', async () => {
    const root = path.join(dir, 'datasets');
    fs.mkdirSync(path.join(root, `.tmp-${ID}-old`), { recursive: true });
    fs.mkdirSync(path.join(root, `.trash-${ID}-old`));
    fs.mkdirSync(path.join(root, ID));
    const removedFresh = await storage.sweep(60_000);
    assert.deepEqual(removedFresh, []);
    const removed = await storage.sweep(60_000, Date.now() + 120_000);
    assert.deepEqual(removed.sort(), [`.tmp-${ID}-old`, `.trash-${ID}-old`]);
    assert.deepEqual(await storage.list(), [ID]);
  });
});
