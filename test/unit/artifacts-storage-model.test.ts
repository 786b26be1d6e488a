// Artefact file storage (src/artifacts/artifact-storage.ts): the file is in place, complete and hashed before the DB
// commit runs, a failed commit or copy leaves nothing, an existing artefact is never replaced. And the NB201 model
// file (src/trainer/nb201/model-file.ts) that nb201-train exports as a `model` artefact: round trip and refusals.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, before, beforeEach, describe, test } from 'node:test';
import { ArtifactStorage } from '../../src/artifacts/artifact-storage';
import { UnprocessableError } from '../../src/common/errors';
import { parseArchStr } from '../../src/benchmarks/nb201/arch';
import { selectBackend } from '../../src/trainer/engine/backend';
import { Nb201Network } from '../../src/trainer/nb201/model';
import { encodeNb201Model, loadNb201Model } from '../../src/trainer/nb201/model-file';

const ID = '7d4c1e0a-5b7f-4c1e-9a3b-2f6d8e9c0a11';

describe('ArtifactStorage', () => {
  let dir: string;
  let src: string;
  let storage: ArtifactStorage;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'artifact-storage-'));
    src = path.join(dir, 'source.bin');
    fs.writeFileSync(src, Buffer.from('weights of a tiny model'));
    storage = new ArtifactStorage(dir);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('the complete file is in place under artifacts/<id>, with the sha256 of the stored bytes, before commit runs', async () => {
    const expected = createHash('sha256').update(fs.readFileSync(src)).digest('hex');
    const r = await storage.store(ID, src, async (stored) => {
      assert.equal(fs.readFileSync(path.join(dir, 'artifacts', ID), 'utf8'), 'weights of a tiny model');
      assert.deepEqual(fs.readdirSync(path.join(dir, 'artifacts')), [ID], 'no temp file left at commit time');
      return stored;
    });
    assert.deepEqual(r, { sha256: expected, size: 23 });
    assert.equal(storage.resolve(storage.relativePath(ID)), path.join(dir, 'artifacts', ID));
  });

  test('a failing commit removes the stored file; a missing source leaves no temp file', async () => {
    await assert.rejects(
      storage.store(ID, src, async () => {
        throw new Error('insert failed');
      }),
      /insert failed/,
    );
    assert.deepEqual(fs.readdirSync(path.join(dir, 'artifacts')), []);
    await assert.rejects(storage.store(ID, path.join(dir, 'nope.bin'), async () => 1), /ENOENT/);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'artifacts')), []);
  });

  test('an existing artefact is never replaced, and paths outside the root are refused', async () => {
    await storage.store(ID, src, async () => 1);
    fs.writeFileSync(src, 'other bytes');
    await assert.rejects(storage.store(ID, src, async () => 2), /EEXIST/);
    assert.equal(fs.readFileSync(path.join(dir, 'artifacts', ID), 'utf8'), 'weights of a tiny model');
    assert.deepEqual(fs.readdirSync(path.join(dir, 'artifacts')), [ID], 'the temp copy was removed');
    assert.throws(() => storage.resolve('datasets/x'), /outside/);
    assert.throws(() => storage.resolve(`artifacts/../${ID}`), /outside/);
    await storage.remove(storage.relativePath(ID));
    assert.deepEqual(fs.readdirSync(path.join(dir, 'artifacts')), []);
  });
});

describe('NB201 model file', () => {
  const ARCH = '|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|skip_connect~0|none~1|avg_pool_3x3~2|';
  const make = (seed: number, arch = ARCH, classes = 10) =>
    new Nb201Network({ ops: parseArchStr(arch) as number[], channels: 4, cellsPerStage: 1, inputShape: [28, 28, 1], numClasses: classes, seed });
  const values = (net: Nb201Network) => [...net.params, ...net.buffers].map((v) => Array.from(v.variable.dataSync()));
  let dir: string;
  before(async () => {
    await selectBackend({ force: 'wasm' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nb201-model-'));
  });

  test('a network loads exactly the weights and BN statistics another one exported', () => {
    const a = make(1);
    const file = path.join(dir, 'a.weights');
    fs.writeFileSync(file, encodeNb201Model(a, { arch: ARCH, C: 4, N: 1, numClasses: 10, imageShape: [28, 28, 1], info: { note: 'test' } }));
    const b = make(2);
    assert.notDeepEqual(values(b), values(a), 'different seeds start apart');
    const h = loadNb201Model(file, b, { arch: ARCH, C: 4, N: 1, numClasses: 10, imageShape: [28, 28, 1] });
    assert.deepEqual(values(b), values(a));
    assert.deepEqual(h.info, { note: 'test' });
    a.dispose();
    b.dispose();
  });

  test('a model of another arch, class count or image shape, or a corrupt file, is refused before anything is assigned', () => {
    const a = make(1);
    const file = path.join(dir, 'b.weights');
    fs.writeFileSync(file, encodeNb201Model(a, { arch: ARCH, C: 4, N: 1, numClasses: 10, imageShape: [28, 28, 1], info: {} }));
    const other = '|nor_conv_1x1~0|+|skip_connect~0|nor_conv_1x1~1|+|skip_connect~0|none~1|avg_pool_3x3~2|';
    const b = make(3, other);
    const before = values(b);
    assert.throws(() => loadNb201Model(file, b, { arch: other, C: 4, N: 1, numClasses: 10, imageShape: [28, 28, 1] }), (e: Error) => e instanceof UnprocessableError && /arch=/.test(e.message));
    assert.throws(() => loadNb201Model(file, a, { arch: ARCH, C: 4, N: 1, numClasses: 100, imageShape: [28, 28, 1] }), /numClasses=10/);
    assert.throws(() => loadNb201Model(file, a, { arch: ARCH, C: 4, N: 1, numClasses: 10, imageShape: [32, 32, 3] }), /shape/);
    // the header says arch A, the network is arch B with matching header fields: tensors are checked one by one
    assert.throws(() => loadNb201Model(file, b, { arch: ARCH, C: 4, N: 1, numClasses: 10, imageShape: [28, 28, 1] }), /missing or has the wrong size/);
    assert.deepEqual(values(b), before, 'nothing assigned');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 1] ^= 0xff;
    fs.writeFileSync(file, bytes);
    assert.throws(() => loadNb201Model(file, a, { arch: ARCH, C: 4, N: 1, numClasses: 10, imageShape: [28, 28, 1] }), (e: Error) => e instanceof UnprocessableError && /checksum/.test(e.message));
    a.dispose();
    b.dispose();
  });
});
