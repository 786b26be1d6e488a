import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as zlib from 'node:zlib';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { InvalidInputError } from '../../src/common/errors';
import { loadConfig } from '../../src/config/config';
import { DatasetsService } from '../../src/datasets/datasets.service';
import { loadStoredDataset } from '../../src/datasets/formats';
import { startTestApp, TestApp } from '../support/harness';

const MB = 1024 * 1024;
const MAX_UPLOAD = 12 * MB;
const IMAGES = path.join(loadConfig().dataDir, 'images');
const raw = (rel: string): Buffer => fs.readFileSync(path.join(IMAGES, rel));

type Req = request.Test;
interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { field: string; rule: string; message: string }[];
}

const MNIST_GZ = {
  trainImages: raw('mnist/train-images-first3009-idx3-ubyte.gz'),
  trainLabels: raw('mnist/train-labels-first3009-idx1-ubyte.gz'),
  testImages: raw('mnist/t10k-images-idx3-ubyte.gz'),
  testLabels: raw('mnist/t10k-labels-idx1-ubyte.gz'),
};
const MNIST_RAW = Object.fromEntries(Object.entries(MNIST_GZ).map(([k, v]) => [k, zlib.gunzipSync(v)])) as typeof MNIST_GZ;
/** Small valid CIFAR-10 files sliced from the real records: 60 train, 20 test. */
const CIFAR_TRAIN = zlib.gunzipSync(raw('cifar10/cifar10_train_first4000.bin.gz')).subarray(0, 3073 * 60);
const CIFAR_TEST = zlib.gunzipSync(raw('cifar10/cifar10_test_first846.bin.gz')).subarray(0, 3073 * 20);

function sha256(...bufs: Buffer[]): string {
  const h = createHash('sha256');
  for (const b of bufs) h.update(b);
  return h.digest('hex');
}

describe('datasets API (real PostgreSQL, real files)', () => {
  let t: TestApp;
  let a: { key: string; teamId: string };
  let b: { key: string; teamId: string };
  const ids: Record<string, string> = {};

  before(async () => {
    t = await startTestApp({ maxUploadBytes: MAX_UPLOAD }, { worker: false });
    a = await t.createTeam('datasets-a');
    b = await t.createTeam('datasets-b');
  });
  after(async () => t?.close());

  const post = (key = a.key): Req => request(t.baseUrl).post('/v1/datasets').set('Authorization', `Bearer ${key}`);
  const get = (url: string, key = a.key): Req => request(t.baseUrl).get(url).set('Authorization', `Bearer ${key}`);
  const del = (url: string, key = a.key): Req => request(t.baseUrl).delete(url).set('Authorization', `Bearer ${key}`);
  const mnist = (r: Req, files: typeof MNIST_GZ, ext = ''): Req =>
    r
      .attach('trainImages', files.trainImages, `train-images-idx3-ubyte${ext}`)
      .attach('trainLabels', files.trainLabels, `train-labels-idx1-ubyte${ext}`)
      .attach('testImages', files.testImages, `t10k-images-idx3-ubyte${ext}`)
      .attach('testLabels', files.testLabels, `t10k-labels-idx1-ubyte${ext}`);
  const storedDirs = (): string[] => {
    const root = path.join(t.config.storageDir, 'datasets');
    return fs.existsSync(root) ? fs.readdirSync(root).sort() : [];
  };

  test('POST real MNIST subset, gzipped -> 201 + Location, counts from parsing, files stored decompressed', async () => {
    const res = await mnist(post().field('name', 'mnist 3009').field('format', 'mnist-idx'), MNIST_GZ, '.gz');
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const d = res.body as Record<string, unknown>;
    assert.equal(res.headers.location, `/v1/datasets/${String(d.id)}`);
    const { trainImages, trainLabels, testImages, testLabels } = MNIST_GZ;
    assert.deepEqual(
      { ...d, id: undefined, createdAt: undefined },
      {
        id: undefined,
        createdAt: undefined,
        name: 'mnist 3009',
        format: 'mnist-idx',
        sha256: sha256(trainImages, trainLabels, testImages, testLabels),
        sizeBytes: trainImages.length + trainLabels.length + testImages.length + testLabels.length,
        numTrain: 3009,
        numTest: 10000,
        numClasses: 10,
        imageShape: [28, 28, 1],
      },
    );
    assert.ok(!Number.isNaN(Date.parse(String(d.createdAt))));
    ids.mnistGz = String(d.id);
    const dir = path.join(t.config.storageDir, 'datasets', ids.mnistGz);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['test-images-idx3-ubyte', 'test-labels-idx1-ubyte', 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte']);
    assert.deepEqual(fs.readFileSync(path.join(dir, 'test-images-idx3-ubyte')), MNIST_RAW.testImages);
  });

  test('POST the same files uncompressed -> 201 with the same counts', async () => {
    const res = await mnist(post().field('name', 'mnist raw').field('format', 'mnist-idx'), MNIST_RAW);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual([res.body.numTrain, res.body.numTest, res.body.sizeBytes], [3009, 10000, 16 + 3009 * 784 + 8 + 3009 + 16 + 10000 * 784 + 8 + 10000]);
    ids.mnistRaw = res.body.id as string;
  });

  test('POST small CIFAR-10 files, train in two parts (one gzipped) -> concatenated in order', async () => {
    const part1 = CIFAR_TRAIN.subarray(0, 3073 * 25);
    const part2 = zlib.gzipSync(CIFAR_TRAIN.subarray(3073 * 25));
    const res = await post()
      .field('name', 'cifar small')
      .field('format', 'cifar10-binary')
      .attach('train', part1, 'data_batch_1.bin')
      .attach('train', part2, 'data_batch_2.bin.gz')
      .attach('test', CIFAR_TEST, 'test_batch.bin');
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual([res.body.numTrain, res.body.numTest, res.body.numClasses, res.body.imageShape], [60, 20, 10, [32, 32, 3]]);
    assert.equal(res.body.sha256, sha256(part1, part2, CIFAR_TEST));
    ids.cifar = res.body.id as string;
    assert.deepEqual(fs.readFileSync(path.join(t.config.storageDir, 'datasets', ids.cifar, 'train.bin')), CIFAR_TRAIN);
  });

  test('resolveForJob: the uploaded dataset loads with the pure reader; builtins pass; anything else names spec.dataset', async () => {
    const svc = t.app.get(DatasetsService);
    const r = await svc.resolveForJob({ id: a.teamId }, ids.cifar);
    assert.equal(r.kind, 'uploaded');
    if (r.kind !== 'uploaded') return;
    const d = loadStoredDataset(r.dir, r.format, r.files, r.name);
    assert.deepEqual([d.train.count, d.test.count, d.numClasses, d.train.channels], [60, 20, 10, 3]);
    assert.equal(d.train.labels[59], CIFAR_TRAIN[59 * 3073]);
    assert.deepEqual(await svc.resolveForJob({ id: a.teamId }, 'mnist'), { kind: 'builtin', name: 'mnist' });
    for (const bad of ['imagenet', ids.cifar.replace(/^./, ids.cifar[0] === '0' ? '1' : '0'), '']) {
      await assert.rejects(svc.resolveForJob({ id: a.teamId }, bad), (e: unknown) => e instanceof InvalidInputError && e.violations[0].field === 'spec.dataset');
    }
    // another team's dataset id is not a valid reference for this team
    await assert.rejects(svc.resolveForJob({ id: b.teamId }, ids.cifar), (e: unknown) => e instanceof InvalidInputError && e.violations[0].field === 'spec.dataset');
  });

  test('GET list: newest first, cursor pagination visits every dataset once', async () => {
    const all = await get('/v1/datasets');
    assert.equal(all.status, 200);
    assert.deepEqual(
      all.body.items.map((d: { id: string }) => d.id),
      [ids.cifar, ids.mnistRaw, ids.mnistGz],
    );
    assert.equal(all.body.nextCursor, null);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: request.Response = await get(`/v1/datasets?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200);
      assert.equal(page.body.items.length, 1);
      seen.push(page.body.items[0].id);
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, [ids.cifar, ids.mnistRaw, ids.mnistGz]);
    for (const [q, field] of [
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['cursor=nonsense', 'cursor'],
      ['colour=red', 'colour'],
    ]) {
      const res = await get(`/v1/datasets?${q}`);
      assert.equal(res.status, 400, q);
      assert.ok((res.body as Problem).errors?.some((e) => e.field === field), `${q}: ${JSON.stringify(res.body)}`);
    }
  });

  test('GET by id; 400 for a non-UUID, 404 for an unknown id', async () => {
    const one = await get(`/v1/datasets/${ids.mnistGz}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.name, 'mnist 3009');
    const bad = await get('/v1/datasets/not-a-uuid');
    assert.equal(bad.status, 400);
    assert.equal((bad.body as Problem).errors?.[0].field, 'id');
    const missing = await get('/v1/datasets/6b1f3c0e-8f1a-4c61-9a55-1d2e3f4a5b6c');
    assert.equal(missing.status, 404);
    assert.match(missing.headers['content-type'], /application\/problem\+json/);
  });

  test("a team never sees or touches another team's datasets (404)", async () => {
    assert.equal((await get(`/v1/datasets/${ids.cifar}`, b.key)).status, 404);
    assert.equal((await del(`/v1/datasets/${ids.cifar}`, b.key)).status, 404);
    assert.deepEqual((await get('/v1/datasets', b.key)).body, { items: [], nextCursor: null });
    assert.equal((await get(`/v1/datasets/${ids.cifar}`)).status, 200);
    assert.equal((await request(t.baseUrl).get('/v1/datasets')).status, 401);
  });

  test('DELETE is refused (409) while a queued or running job uses the dataset; once the job has finished it succeeds and the job row keeps living', async () => {
    const ds = t.app.get(DataSource);
    const [job] = (await ds.query(`INSERT INTO jobs (team_id, kind, status, spec, dataset_id) VALUES ($1, 'x', 'queued', '{}', $2) RETURNING id`, [
      a.teamId,
      ids.mnistRaw,
    ])) as { id: string }[];
    const refused = await del(`/v1/datasets/${ids.mnistRaw}`);
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.match((refused.body as Problem).detail, new RegExp(job.id));
    await ds.query(`UPDATE jobs SET status = 'running' WHERE id = $1`, [job.id]);
    assert.equal((await del(`/v1/datasets/${ids.mnistRaw}`)).status, 409);
    assert.ok(fs.existsSync(path.join(t.config.storageDir, 'datasets', ids.mnistRaw)));

    await ds.query(`UPDATE jobs SET status = 'succeeded' WHERE id = $1`, [job.id]);
    const ok = await del(`/v1/datasets/${ids.mnistRaw}`);
    assert.equal(ok.status, 204);
    assert.equal((await get(`/v1/datasets/${ids.mnistRaw}`)).status, 404);
    assert.ok(!fs.existsSync(path.join(t.config.storageDir, 'datasets', ids.mnistRaw)));
    // the finished job survives, its dataset_id set to NULL by the FK
    const rows = (await ds.query(`SELECT status, dataset_id FROM jobs WHERE id = $1`, [job.id])) as { status: string; dataset_id: string | null }[];
    assert.deepEqual(rows, [{ status: 'succeeded', dataset_id: null }]);
    assert.equal((await del(`/v1/datasets/${ids.mnistRaw}`)).status, 404);
  });

  describe('bad uploads -> 4xx problem naming the field, nothing stored, server keeps serving', () => {
    const idxImages = (count: number, side: number): Buffer => {
      const out = Buffer.alloc(16 + count * side * side);
      out.writeUInt32BE(0x803, 0);
      out.writeUInt32BE(count, 4);
      out.writeUInt32BE(side, 8);
      out.writeUInt32BE(side, 12);
      return out;
    };
    const badLabel = Buffer.from(CIFAR_TEST);
    badLabel[3073 * 7] = 10;
    const shortLabels = Buffer.from(MNIST_RAW.testLabels.subarray(0, 8 + 9999));
    shortLabels.writeUInt32BE(9999, 4);
    const cifar = (r: Req): Req => r.field('name', 'x').field('format', 'cifar10-binary');
    const mnistFields = (r: Req): Req => r.field('name', 'x').field('format', 'mnist-idx');

    const cases: { name: string; send: () => Req; status: number; field: string; rule?: string }[] = [
      { name: 'JSON instead of multipart', send: () => post().send({ name: 'x', format: 'mnist-idx' }), status: 400, field: 'Content-Type' },
      { name: 'multipart without boundary', send: () => post().set('Content-Type', 'multipart/form-data').send('garbage'), status: 400, field: 'body' },
      {
        name: 'truncated multipart body',
        send: () => post().set('Content-Type', 'multipart/form-data; boundary=XyZ').send('--XyZ\r\nContent-Disposition: form-data; name="name"\r\n\r\nabc'),
        status: 400,
        field: 'body',
      },
      { name: 'name missing', send: () => mnist(post().field('format', 'mnist-idx'), MNIST_GZ), status: 400, field: 'name' },
      { name: 'name empty', send: () => mnist(post().field('name', '').field('format', 'mnist-idx'), MNIST_GZ), status: 400, field: 'name' },
      { name: 'name of 101 chars', send: () => mnist(post().field('name', 'n'.repeat(101)).field('format', 'mnist-idx'), MNIST_GZ), status: 400, field: 'name', rule: 'isLength' },
      { name: 'name twice', send: () => mnist(post().field('name', 'a').field('name', 'b').field('format', 'mnist-idx'), MNIST_GZ), status: 400, field: 'name' },
      { name: 'format missing', send: () => mnist(post().field('name', 'x'), MNIST_GZ), status: 400, field: 'format' },
      { name: 'format png', send: () => mnist(post().field('name', 'x').field('format', 'png'), MNIST_GZ), status: 400, field: 'format', rule: 'isIn' },
      { name: 'unknown text field', send: () => mnist(mnistFields(post()).field('colour', 'red'), MNIST_GZ), status: 400, field: 'colour' },
      { name: 'unknown file field', send: () => mnist(mnistFields(post()), MNIST_GZ).attach('labels', CIFAR_TEST, 'l.bin'), status: 400, field: 'labels', rule: 'knownFileField' },
      {
        name: 'train sent 11 times',
        send: () => {
          let r = cifar(post()).attach('test', CIFAR_TEST, 't.bin');
          for (let i = 0; i < 11; i++) r = r.attach('train', CIFAR_TEST, `b${i}.bin`);
          return r;
        },
        status: 400,
        field: 'train',
        rule: 'maxCount',
      },
      { name: 'cifar without test', send: () => cifar(post()).attach('train', CIFAR_TRAIN, 'train.bin'), status: 400, field: 'test', rule: 'required' },
      {
        name: 'mnist without trainLabels',
        send: () =>
          mnistFields(post()).attach('trainImages', MNIST_GZ.trainImages, 'a.gz').attach('testImages', MNIST_GZ.testImages, 'c.gz').attach('testLabels', MNIST_GZ.testLabels, 'd.gz'),
        status: 400,
        field: 'trainLabels',
        rule: 'required',
      },
      { name: 'mnist files with format cifar10-binary', send: () => mnist(cifar(post()), MNIST_GZ), status: 400, field: 'trainImages', rule: 'fieldOfFormat' },
      { name: 'file over maxUploadBytes', send: () => cifar(post()).attach('train', Buffer.alloc(MAX_UPLOAD + 1), 'huge.bin').attach('test', CIFAR_TEST, 't.bin'), status: 413, field: 'train', rule: 'maxFileBytes' },
      {
        name: 'files together over maxUploadBytes',
        send: () => cifar(post()).attach('train', Buffer.alloc(7 * MB), 'a.bin').attach('test', Buffer.alloc(6 * MB), 'b.bin'),
        status: 413,
        field: 'test',
        rule: 'maxTotalUploadBytes',
      },
      {
        name: 'gzip bomb (decompresses past 4x maxUploadBytes)',
        send: () => cifar(post()).attach('train', zlib.gzipSync(Buffer.alloc(4 * MAX_UPLOAD + MB)), 'bomb.gz').attach('test', CIFAR_TEST, 't.bin'),
        status: 413,
        field: 'train',
        rule: 'maxDecompressedBytes',
      },
      { name: 'truncated CIFAR train', send: () => cifar(post()).attach('train', CIFAR_TRAIN.subarray(0, CIFAR_TRAIN.length - 1), 'a.bin').attach('test', CIFAR_TEST, 't.bin'), status: 422, field: 'train', rule: 'cifar10RecordLength' },
      { name: 'CIFAR label 10', send: () => cifar(post()).attach('train', CIFAR_TRAIN, 'a.bin').attach('test', badLabel, 't.bin'), status: 422, field: 'test', rule: 'labelRange' },
      { name: 'empty CIFAR test file', send: () => cifar(post()).attach('train', CIFAR_TRAIN, 'a.bin').attach('test', Buffer.alloc(0), 't.bin'), status: 422, field: 'test', rule: 'notEmpty' },
      { name: 'IDX labels sent as images', send: () => mnist(mnistFields(post()), { ...MNIST_GZ, trainImages: MNIST_GZ.trainLabels }), status: 422, field: 'trainImages', rule: 'idxMagic' },
      { name: 'labels count != images count', send: () => mnist(mnistFields(post()), { ...MNIST_RAW, testLabels: shortLabels }), status: 422, field: 'testLabels', rule: 'labelCount' },
      {
        name: 'corrupt gzip',
        send: () => mnist(mnistFields(post()), { ...MNIST_GZ, testImages: MNIST_GZ.testImages.subarray(0, 100_000) }),
        status: 422,
        field: 'testImages',
        rule: 'gzip',
      },
      { name: 'test images of another size', send: () => mnist(mnistFields(post()), { ...MNIST_RAW, testImages: idxImages(10000, 14) }), status: 422, field: 'testImages', rule: 'sameImageShape' },
    ];

    let baseline: string[];
    test('setup: note what is stored', () => {
      baseline = storedDirs();
      assert.equal(baseline.length, 2);
    });

    for (const c of cases) {
      test(`${c.name} -> ${c.status} naming ${c.field}`, async () => {
        const res = await c.send();
        assert.equal(res.status, c.status, `${c.name}: ${res.status} ${JSON.stringify(res.body)}`);
        assert.match(res.headers['content-type'], /application\/problem\+json/);
        const p = res.body as Problem;
        assert.equal(p.status, c.status);
        const named = p.errors?.some((e) => e.field === c.field && (!c.rule || e.rule === c.rule)) || (!c.rule && p.detail.includes(c.field));
        assert.ok(named, `${c.name}: problem does not name ${c.field}${c.rule ? `/${c.rule}` : ''}: ${JSON.stringify(p)}`);
        assert.deepEqual(storedDirs(), baseline, 'no stray files in storageDir');
      });
    }

    test('after the bad uploads the server still answers and stored nothing new', async () => {
      const res = await get('/v1/datasets');
      assert.equal(res.status, 200);
      assert.equal(res.body.items.length, 2);
      assert.deepEqual(storedDirs(), baseline);
      const ok = await mnist(post().field('name', 'after').field('format', 'mnist-idx'), MNIST_GZ);
      assert.equal(ok.status, 201);
    });
  });

  test('OpenAPI documents the multipart body with binary file fields', async () => {
    const doc = (await request(t.baseUrl).get('/docs/openapi.json')).body as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, { format?: string; items?: { format: string } }> } }> } }>>;
    };
    const schema = doc.paths['/v1/datasets'].post.requestBody?.content['multipart/form-data'].schema;
    assert.ok(schema, 'multipart/form-data body documented');
    for (const f of ['trainImages', 'trainLabels', 'testImages', 'testLabels', 'test']) assert.equal(schema.properties[f].format, 'binary', f);
    assert.equal(schema.properties.train.items?.format, 'binary');
  });
});
