// `scalenet-family` jobs through the real API, generated client, job runner, PostgreSQL, SSE and a trainer child
// process, on a tiny configuration (64 images, one epoch, MCEA T=1 K=1 P=4 N=1, M=1): a builtin (CIFAR-10 subset)
// and an uploaded (MNIST, 1 channel, resized to the preset's 32x32) dataset; the family table's invariants; the
// supernet and model-family artefacts present and downloadable; a second job that reuses the trained supernet;
// 4xx for bad specs, naming the field, with no job created.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createNasClient, NasClient } from '../../openapi/client';
import { loadConfig } from '../../src/config/config';
import { startTestApp, TestApp } from '../support/harness';
import { runJobToSuccess } from '../support/run-job';

type Json = Record<string, unknown>;

const TINY = { preset: 'small', M: 1, epochs: 1, batchSize: 16, maxTrainImages: 64, evalImages: 8, recalBatches: 1, f0Samples: 500, T: 1, K: 1, P: 4, N: 1, seed: 2 };

interface Member {
  stage: number;
  origin: string;
  d: number;
  w: number;
  r: number;
  flops: number;
  params: number;
  budget: number;
  withinBudget: boolean;
  blocksPerStage: number[];
  blocks: Array<Array<{ expand: number; kernel: number; se: boolean }>>;
  resolution: number;
  supernetAccuracy: number | null;
}

describe('scalenet-family jobs (real API, worker, PostgreSQL, trainer process)', () => {
  let t: TestApp;
  let key: string;
  let client: NasClient;
  let supernetId: string | null = null;

  before(async () => {
    t = await startTestApp({ heartbeatMs: 200 });
    key = (await t.createTeam('scalenet-team')).key;
    client = createNasClient(t.baseUrl, key);
  });
  after(async () => t?.close());

  async function runJob(spec: Json): Promise<{ result: Json; progress: Json[] }> {
    return runJobToSuccess(t.baseUrl, key, client, 'scalenet-family', spec, 600_000);
  }

  async function download(id: string): Promise<{ meta: Json; body: Buffer }> {
    const headers = { Authorization: `Bearer ${key}` };
    const meta = (await (await fetch(`${t.baseUrl}/v1/artifacts/${id}`, { headers })).json()) as Json;
    const res = await fetch(`${t.baseUrl}/v1/artifacts/${id}/content`, { headers });
    assert.equal(res.status, 200);
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.headers.get('x-content-sha256'), createHash('sha256').update(body).digest('hex'));
    return { meta, body };
  }

  function checkFamily(result: Json, M: number): Member[] {
    const family = result.family as Member[];
    assert.equal(family.length, 6, 'S0..S5');
    family.forEach((m, j) => {
      assert.equal(m.stage, j);
      assert.equal(m.origin, j <= M ? 'searched' : 'generalised');
      assert.equal(m.blocksPerStage.length, 7);
      assert.deepEqual(m.blocks.map((b) => b.length), m.blocksPerStage);
      assert.ok(m.flops > 0 && m.params > 0);
    });
    assert.deepEqual([family[0].d, family[0].w, family[0].r], [1, 1, 1], 'S0 is the base model');
    for (let j = 1; j < family.length; j++) {
      assert.ok(family[j].flops >= family[j - 1].flops, `FLOPs non-decreasing at S${j}: ${family[j - 1].flops} -> ${family[j].flops}`);
      assert.ok(family[j].d >= family[j - 1].d && family[j].w >= family[j - 1].w && family[j].r >= family[j - 1].r);
    }
    for (let j = 1; j <= M; j++) assert.ok(family[j].flops > family[j - 1].flops, `searched FLOPs strictly increasing at S${j}`);
    const budgets = (result.budgets as { list: number[]; tolerance: number }).list;
    for (let j = 0; j <= M; j++) {
      assert.equal(family[j].budget, budgets[j]);
      assert.ok(family[j].withinBudget && Math.abs(family[j].flops - budgets[j]) <= 0.15 * budgets[j], `S${j}: ${family[j].flops} within 15% of ${budgets[j]}`);
      assert.ok(typeof family[j].supernetAccuracy === 'number' && family[j].supernetAccuracy! >= 0 && family[j].supernetAccuracy! <= 1);
    }
    for (let j = 1; j < budgets.length; j++) assert.equal(budgets[j], 2 * budgets[j - 1], 'f_j = 2^j f0');
    const evidence = result.evidence as Json;
    assert.equal(evidence.evaluation, 'supernet');
    assert.equal((evidence.schedule as Json).shortened, true);
    assert.equal((evidence.data as Json).subset, true);
    assert.match(evidence.description as string, /SHORTENED/);
    return family;
  }

  test('the kind is listed with its spec and result schemas', async () => {
    const { data } = await client.GET('/v1/jobs/kinds');
    const k = data?.find((x) => x.kind === 'scalenet-family');
    assert.ok(k, JSON.stringify(data));
    assert.equal(k.specSchema, 'ScaleNetFamilySpec');
    assert.equal(k.resultSchema, 'ScaleNetFamilyResultDto');
  });

  test('bad specs are 4xx problems naming the field, and no job is created', async () => {
    const bad = await t.createTeam('scalenet-bad');
    const c = createNasClient(t.baseUrl, bad.key);
    const base: Json = { ...TINY, dataset: 'cifar10-subset' };
    const cases: Array<[string, Json, string]> = [
      ['unknown preset', { ...base, preset: 'huge' }, 'spec.preset'],
      ['M 0', { ...base, M: 0 }, 'spec.M'],
      ['M 4 (Table 7 has rows 0..3)', { ...base, M: 4 }, 'spec.M'],
      ['eta of the wrong length', { ...base, eta: [0.5, 0.5, 0] }, 'spec.eta'],
      ['eta not summing to 1', { ...base, eta: [0.5, 0.6] }, 'spec.eta'],
      ['pi of the wrong length', { ...base, M: 2, pi: [1] }, 'spec.pi'],
      ['budget far below the space', { ...base, budgets: { f0: 1000 } }, 'spec.budgets'],
      ['budget far above the space', { ...base, budgets: { f0: 1e12 } }, 'spec.budgets'],
      ['budget list of the wrong length', { ...base, budgets: { list: [4e6, 8e6, 16e6] } }, 'spec.budgets.list'],
      ['f0 and list', { ...base, budgets: { f0: 4e6, list: [4e6, 8e6] } }, 'spec.budgets'],
      ['unknown sampler', { ...base, sampler: 'best' }, 'spec.sampler'],
      ['P 1', { ...base, P: 1 }, 'spec.P'],
      ['unknown dataset', { ...base, dataset: 'imagenet' }, 'spec.dataset'],
      ['supernet not a uuid', { ...base, supernet: 'x' }, 'spec.supernet'],
      ['retrainEpochs negative', { ...base, retrainEpochs: -1 }, 'spec.retrainEpochs'],
      ['retrainEpochs above 500', { ...base, retrainEpochs: 501 }, 'spec.retrainEpochs'],
      ['retrainEpochs fractional', { ...base, retrainEpochs: 1.5 }, 'spec.retrainEpochs'],
      ['retrainLr 0', { ...base, retrainEpochs: 1, retrainLr: 0 }, 'spec.retrainLr'],
      ['maxTestImages 0', { ...base, retrainEpochs: 1, maxTestImages: 0 }, 'spec.maxTestImages'],
    ];
    for (const [name, spec, field] of cases) {
      const { response, error } = await c.POST('/v1/jobs', { body: { kind: 'scalenet-family', spec } });
      const body = error as unknown as { errors?: Array<{ field: string; rule: string }> };
      assert.ok(response.status >= 400 && response.status < 500, `${name}: ${response.status} ${JSON.stringify(body)}`);
      assert.ok(body.errors?.some((e) => e.field === field && e.rule), `${name}: ${field} named in ${JSON.stringify(body)}`);
    }
    const { data } = await c.GET('/v1/jobs', { params: { query: {} } });
    assert.deepEqual(data?.items, [], 'no job was created');
  });

  test('builtin dataset: a family S0..S5 with artefacts; progress over SSE', async () => {
    const { result, progress } = await runJob({ ...TINY, dataset: 'cifar10-subset' });
    assert.ok(progress.some((p) => p.mceaPhase !== undefined), 'MCEA progress');
    assert.ok(progress.some((p) => typeof p.loss === 'number'), 'training progress with a loss');
    checkFamily(result, 1);
    const sn = result.supernet as Json;
    assert.equal(sn.trained, true);
    assert.ok((sn.imagesPerSecond as number) > 0);
    const cost = result.searchCost as Json;
    assert.equal(cost.backend, 'wasm');
    assert.ok((cost.trainImages as number) > 0 && (cost.pathsEvaluated as number) > 0);
    const ids = result.artifacts as { supernet: string; family: string };
    const fam = await download(ids.family);
    assert.equal(fam.meta.kind, 'model-family');
    const doc = JSON.parse(fam.body.toString('utf8')) as Json;
    assert.deepEqual(doc.family, result.family, 'the artefact holds the family table');
    const sup = await download(ids.supernet);
    assert.equal(sup.meta.kind, 'supernet');
    assert.ok(sup.body.length > 100_000);
    supernetId = ids.supernet;
  });

  test('a second job searches the stored supernet without training (spec.supernet) and retrains the members into LayersModel artefacts', async () => {
    assert.ok(supernetId, 'needs the supernet of the previous test');
    const { result, progress } = await runJob({ ...TINY, dataset: 'cifar10-subset', supernet: supernetId, seed: 5, retrainEpochs: 1, maxTestImages: 32 });
    const sn = result.supernet as Json;
    assert.equal(sn.trained, false);
    assert.equal(sn.steps, 0);
    assert.equal((result.artifacts as Json).supernet, null);
    const family = checkFamily(result, 1) as Array<Member & { retrainedAccuracy: number | null }>;
    const retrain = result.retrain as { shortened: boolean; testImages: number; members: Array<{ stage: number; testAccuracy: number; file: string | null }> };
    assert.equal(retrain.shortened, true);
    assert.equal(retrain.testImages, 32);
    assert.deepEqual(retrain.members.map((m) => m.stage), [0, 1, 2, 3, 4, 5]);
    for (const m of family) assert.equal(m.retrainedAccuracy, retrain.members[m.stage].testAccuracy);
    assert.ok(retrain.members.every((m) => m.file === null), 'no internal path in the result');
    assert.ok(progress.some((p) => p.phase === 'retrain'), 'retraining progress over SSE');
    const members = (result.artifacts as { members: Array<{ stage: number; model: string }> }).members;
    assert.deepEqual(members.map((m) => m.stage), [0, 1, 2, 3, 4, 5]);
    const s5 = await download(members[5].model);
    assert.equal(s5.meta.kind, 'model');
    assert.equal((s5.meta.meta as Json).format, 'scalenet-layers-model/1');
    const bundle = JSON.parse(s5.body.toString('utf8')) as { stage: number; input: { shape: number[] }; modelJson: { weightsManifest: Array<{ paths: string[]; weights: Array<{ shape: number[] }> }> }; weightsBase64: string };
    assert.equal(bundle.stage, 5);
    assert.deepEqual(bundle.input.shape, [family[5].resolution, family[5].resolution, 3]);
    const manifest = bundle.modelJson.weightsManifest[0];
    assert.deepEqual(manifest.paths, ['weights.bin']);
    const floats = manifest.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
    assert.equal(Buffer.from(bundle.weightsBase64, 'base64').length, 4 * floats, 'weights.bin holds every weight of the manifest');
  });

  test('uploaded dataset (MNIST idx, 1 channel): the preset adapts to the data', async () => {
    const images = path.join(loadConfig().dataDir, 'images', 'mnist');
    const up = await request(t.baseUrl)
      .post('/v1/datasets')
      .set('Authorization', `Bearer ${key}`)
      .field('name', 'mnist for scalenet')
      .field('format', 'mnist-idx')
      .attach('trainImages', fs.readFileSync(path.join(images, 'train-images-first3009-idx3-ubyte.gz')), 'train-images-idx3-ubyte.gz')
      .attach('trainLabels', fs.readFileSync(path.join(images, 'train-labels-first3009-idx1-ubyte.gz')), 'train-labels-idx1-ubyte.gz')
      .attach('testImages', fs.readFileSync(path.join(images, 't10k-images-idx3-ubyte.gz')), 't10k-images-idx3-ubyte.gz')
      .attach('testLabels', fs.readFileSync(path.join(images, 't10k-labels-idx1-ubyte.gz')), 't10k-labels-idx1-ubyte.gz');
    assert.equal(up.status, 201, JSON.stringify(up.body));
    const { result } = await runJob({ ...TINY, dataset: up.body.id as string });
    assert.deepEqual((result.dataset as Json).imageShape, [28, 28, 1]);
    assert.equal((result.preset as Json).inChannels, 1);
    checkFamily(result, 1);
    assert.ok((result.artifacts as Json).family);
  });
});
