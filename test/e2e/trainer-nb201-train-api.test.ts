// `nb201-train` jobs through the real API, job runner, PostgreSQL and a trainer child process (generated client).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createNasClient, NasClient } from '../../openapi/client';
import { startTestApp, TestApp } from '../support/harness';
import { readSse, waitFor } from '../support/sse';

type Json = Record<string, unknown>;

const ARCH = '|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|skip_connect~0|none~1|avg_pool_3x3~2|';
/** A tiny run: 512 MNIST images (10% held out for the curve), C=4 N=1, one epoch of 29 steps, 256 test images. */
const TINY = { dataset: 'mnist', C: 4, N: 1, epochs: 1, batchSize: 16, lr: 0.05, seed: 3, maxTrainImages: 512, maxTestImages: 256 };

describe('nb201-train jobs (real API, worker, PostgreSQL, trainer process)', () => {
  let t: TestApp;
  let key: string;
  let client: NasClient;

  before(async () => {
    t = await startTestApp({ heartbeatMs: 200 });
    key = (await t.createTeam('nb201-train-team')).key;
    client = createNasClient(t.baseUrl, key);
  });
  after(async () => t?.close());

  test('the kind is listed with its spec and result schemas, both in the OpenAPI document', async () => {
    const { data } = await client.GET('/v1/jobs/kinds');
    const k = data?.find((x) => x.kind === 'nb201-train');
    assert.ok(k, JSON.stringify(data));
    assert.equal(k.specSchema, 'Nb201TrainSpec');
    assert.equal(k.resultSchema, 'Nb201TrainResultDto');
    const doc = (await (await fetch(`${t.baseUrl}/docs/openapi.json`)).json()) as { components: { schemas: Record<string, { required?: string[] }> } };
    assert.deepEqual(doc.components.schemas.Nb201TrainSpec.required?.sort(), ['C', 'N', 'arch', 'batchSize', 'dataset', 'epochs', 'lr', 'seed']);
    assert.ok(doc.components.schemas.Nb201TrainResultDto);
  });

  test('bad specs are 4xx problems naming the field, and no job is created', async () => {
    const bad = await t.createTeam('nb201-train-bad');
    const c = createNasClient(t.baseUrl, bad.key);
    const base: Json = { arch: ARCH, ...TINY };
    const cases: Array<[string, Json, number, string]> = [
      ['unknown arch string', { ...base, arch: 'resnet18' }, 400, 'spec.arch'],
      ['unknown op in the arch string', { ...base, arch: ARCH.replace('nor_conv_3x3', 'conv_5x5') }, 400, 'spec.arch'],
      ['index 15625', { ...base, arch: 15625 }, 400, 'spec.arch'],
      ['index -1', { ...base, arch: -1 }, 400, 'spec.arch'],
      ['fractional index', { ...base, arch: 12.5 }, 400, 'spec.arch'],
      ['no arch', { ...base, arch: undefined }, 400, 'spec.arch'],
      ['C=0', { ...base, C: 0 }, 400, 'spec.C'],
      ['N=21', { ...base, N: 21 }, 400, 'spec.N'],
      ['unknown dataset', { ...base, dataset: 'imagenet' }, 400, 'spec.dataset'],
      ['uploaded dataset', { ...base, dataset: '3f0b8a52-6a43-4f7e-9d0c-0a1b2c3d4e5f' }, 422, 'spec.dataset'],
      ['epochs 0', { ...base, epochs: 0 }, 400, 'spec.epochs'],
      ['batchSize 1', { ...base, batchSize: 1 }, 400, 'spec.batchSize'],
      ['lr 0', { ...base, lr: 0 }, 400, 'spec.lr'],
      ['seed as a string', { ...base, seed: '1' }, 400, 'spec.seed'],
      ['validFraction 0.6', { ...base, validFraction: 0.6 }, 400, 'spec.validFraction'],
      ['momentum 1', { ...base, momentum: 1 }, 400, 'spec.momentum'],
      ['maxTrainImages 0', { ...base, maxTrainImages: 0 }, 400, 'spec.maxTrainImages'],
      ['microBatch 0', { ...base, microBatch: 0 }, 400, 'spec.microBatch'],
      ['nesterov "yes"', { ...base, nesterov: 'yes' }, 400, 'spec.nesterov'],
      ['warm-up longer than training (checked by the task parser)', { ...base, warmupEpochs: 2 }, 400, 'spec.warmupEpochs'],
      ['valid split takes every training image', { ...base, maxTrainImages: 1, validFraction: 0.5 }, 400, 'spec.validFraction'],
      ['unknown property', { ...base, epochz: 3 }, 400, 'spec.epochz'],
    ];
    for (const [name, spec, status, field] of cases) {
      const { response, error } = await c.POST('/v1/jobs', { body: { kind: 'nb201-train', spec } });
      const body = error as unknown as { errors?: Array<{ field: string; rule: string }>; type?: string };
      assert.equal(response.status, status, `${name}: ${JSON.stringify(body)}`);
      assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/, name);
      assert.ok(body.errors?.some((e) => e.field === field && e.rule), `${name}: ${field} named in ${JSON.stringify(body)}`);
    }
    const { data } = await c.GET('/v1/jobs', { params: { query: {} } });
    assert.deepEqual(data?.items, [], 'no job was created');
  });

  test('a tiny MNIST job given by benchmark index trains to a measured, shortened result and streams progress', async () => {
    const index = 6111;
    const rec = await client.GET('/v1/benchmarks/nb201/archs/{key}', { params: { path: { key: String(index) } } });
    assert.equal(rec.response.status, 200, JSON.stringify(rec.error));
    const { data, response } = await client.POST('/v1/jobs', { body: { kind: 'nb201-train', spec: { arch: index, ...TINY, validFraction: 0.1 } } });
    assert.equal(response.status, 202, JSON.stringify(data));
    assert.ok(data);

    // the stream ends when the job does
    const stream = await readSse(`${t.baseUrl}/v1/jobs/${data.id}/events`, { Authorization: `Bearer ${key}` }, 120_000);
    const types = stream.events.map((e) => e.event);
    assert.equal(types[types.length - 1], 'succeeded', types.join(','));
    const progress = stream.events.filter((e) => e.event === 'progress' && e.data.phase === 'train');
    assert.ok(progress.length >= 2, `train progress events expected, got ${types.join(',')}`);
    assert.ok(progress.some((e) => typeof e.data.step === 'number' && typeof e.data.loss === 'number' && Number.isFinite(e.data.loss)), JSON.stringify(progress.map((e) => e.data)));
    assert.ok(types.includes('checkpoint'), types.join(','));

    const job = await waitFor(
      async () => {
        const j = (await client.GET('/v1/jobs/{id}', { params: { path: { id: data.id } } })).data;
        return j && ['succeeded', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
      },
      10_000,
      'job row to be final',
    );
    assert.equal(job.status, 'succeeded', JSON.stringify(job.error));
    const seconds = (Date.parse(job.finishedAt as string) - Date.parse(job.startedAt as string)) / 1000;

    const res = await client.GET('/v1/jobs/{id}/result', { params: { path: { id: data.id } } });
    const result = res.data?.result as Json;
    const schedule = result.schedule as Json;
    const curve = result.curve as Array<{ epoch: number; trainLoss: number; validAccuracy: number | null }>;
    const backend = result.backend as { name: string; reason: string };
    console.log(`# tiny nb201-train job: ${seconds.toFixed(1)} s from start to finish on ${backend.name}; test accuracy ${result.testAccuracy}`);

    assert.equal(result.arch, rec.data?.archStr, 'the index was resolved to its official arch string');
    assert.equal(result.dataset, 'mnist');
    assert.equal(curve.length, 1);
    assert.ok(Number.isFinite(curve[0].trainLoss) && curve[0].trainLoss > 0, JSON.stringify(curve));
    assert.ok(typeof curve[0].validAccuracy === 'number' && curve[0].validAccuracy >= 0 && curve[0].validAccuracy <= 1, JSON.stringify(curve));
    const acc = result.testAccuracy as number;
    assert.ok(acc >= 0 && acc <= 1, `testAccuracy ${acc}`);
    assert.ok(['tensorflow', 'webgpu', 'wasm', 'cpu'].includes(backend.name) && backend.reason.length > 0, JSON.stringify(backend));
    assert.equal(schedule.shortened, true);
    assert.equal(schedule.trainImages, 461); // 512 minus round(51.2) held out
    assert.equal(schedule.validImages, 51);
    assert.equal(schedule.testImages, 256);
    assert.equal(schedule.steps, 29); // ceil(461 / 16)
    assert.ok((result.notes as string[]).some((n) => /shortened/i.test(n)), JSON.stringify(result.notes));
    assert.match(schedule.description as string, /SHORTENED/);
    assert.equal(fs.existsSync(path.join(t.config.storageDir, 'checkpoints', data.id)), false, 'checkpoints removed after success');
  });
});
