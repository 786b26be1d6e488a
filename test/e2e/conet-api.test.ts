// `conet` jobs through the real API, job runner, PostgreSQL and a trainer child process (generated client, SSE), on
// tiny configurations: a ResNet preset (progress per trial over SSE, the exported LayersModel bundle as a `model`
// artefact), an NB201 arch by benchmark index, and the model artefact of an nb201-train job as the network; bad specs
// are 4xx problems naming the field before any job exists; a running job is cancelled.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { IsInt } from 'class-validator';
import request from 'supertest';
import { loadConfig } from '../../src/config/config';
import { createNasClient, NasClient } from '../../openapi/client';
import { JobKindRegistry } from '../../src/jobs/job-kind.registry';
import { startTestApp, TestApp } from '../support/harness';
import { runJobToSuccess } from '../support/run-job';
import { waitFor } from '../support/sse';

type Json = Record<string, unknown>;

const NB201_ARCH = '|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|skip_connect~0|none~1|avg_pool_3x3~2|';
/** 64 MNIST images, 2 epochs per trial, 2 trials, a 1-epoch retrain on 64 test images. */
const TINY = { dataset: 'mnist', epochsPerTrial: 2, maxTrials: 2, batchSize: 32, seed: 2, maxTrainImages: 64, maxTestImages: 64, retrainEpochs: 1 };
const RESNET = { kind: 'resnet', blocksPerStage: [1, 1, 1], stageChannels: [4, 6, 8] };

class TestModelSpec {
  @IsInt()
  n!: number;
}

describe('conet jobs (real API, worker, PostgreSQL, trainer process)', () => {
  let t: TestApp;
  let key: string;
  let client: NasClient;
  let otherFormatModel: string;

  const finalJob = (id: string, ms = 240_000) =>
    waitFor(
      async () => {
        const j = (await client.GET('/v1/jobs/{id}', { params: { path: { id } } })).data;
        return j && ['succeeded', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
      },
      ms,
      `job ${id} to end`,
    );

  async function runJob(spec: Json, kind = 'conet'): Promise<{ id: string; result: Json; progress: Json[] }> {
    return runJobToSuccess(t.baseUrl, key, client, kind, spec, 300_000);
  }

  async function download(id: string): Promise<Json> {
    const res = await fetch(`${t.baseUrl}/v1/artifacts/${id}/content`, { headers: { Authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type')?.split(';')[0], 'application/json');
    return JSON.parse(await res.text()) as Json;
  }

  before(async () => {
    t = await startTestApp({ heartbeatMs: 200 });
    key = (await t.createTeam('conet-team')).key;
    client = createNasClient(t.baseUrl, key);
    // a kind that publishes a `model` artefact of a format conet does not read
    t.app.get(JobKindRegistry).register<TestModelSpec, { ok: true }, unknown>({
      kind: 'test-other-model',
      summary: 'test kind: creates a model artefact of format other/1',
      specClass: TestModelSpec,
      async run(ctx) {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nas-conet-')), 'm.bin');
        fs.writeFileSync(file, 'not a model conet reads');
        await ctx.artifacts?.create({ kind: 'model', name: 'other', mediaType: 'application/octet-stream', file, meta: { format: 'other/1' } });
        return { ok: true };
      },
    });
    const { data } = await client.POST('/v1/jobs', { body: { kind: 'test-other-model', spec: { n: 1 } } });
    assert.ok(data);
    assert.equal((await finalJob(data.id, 60_000)).status, 'succeeded');
    otherFormatModel = ((await client.GET('/v1/artifacts', { params: { query: { jobId: data.id } } })).data?.items ?? [])[0].id;
  });
  after(async () => t?.close());

  test('the kind is listed with its spec and result schemas', async () => {
    const { data } = await client.GET('/v1/jobs/kinds');
    const k = data?.find((x) => x.kind === 'conet');
    assert.ok(k, JSON.stringify(data?.map((x) => x.kind)));
    assert.equal(k.specSchema, 'ConetSpec');
    assert.equal(k.resultSchema, 'ConetResultDto');
  });

  test('bad specs are 4xx problems naming the field, and no job is created', async () => {
    const bad = await t.createTeam('conet-bad');
    const c = createNasClient(t.baseUrl, bad.key);
    const base: Json = { ...TINY, network: RESNET };
    const cases: Array<[string, Json, number, string]> = [
      ['unknown network kind', { ...base, network: { kind: 'vgg' } }, 400, 'spec.network.kind'],
      ['nb201 without arch', { ...base, network: { kind: 'nb201', C: 4 } }, 400, 'spec.network.arch'],
      ['bad arch string', { ...base, network: { kind: 'nb201', arch: '|conv~0|' } }, 400, 'spec.network.arch'],
      ['arch on a resnet', { ...base, network: { ...RESNET, arch: NB201_ARCH } }, 400, 'spec.network.arch'],
      ['two stage widths', { ...base, network: { kind: 'resnet', stageChannels: [4, 8] } }, 400, 'spec.network.stageChannels'],
      ['artifact without id', { ...base, network: { kind: 'artifact' } }, 400, 'spec.network.modelArtifact'],
      ['artifact that does not exist', { ...base, network: { kind: 'artifact', modelArtifact: '3f0b8a52-6a43-4f7e-9d0c-0a1b2c3d4e5f' } }, 400, 'spec.network.modelArtifact'],
      ['delta and deltas', { ...base, delta: 0.01, deltas: [0.01, 0.02] }, 400, 'spec.deltas'],
      ['repeated deltas', { ...base, deltas: [0.01, 0.01] }, 400, 'spec.deltas'],
      ['9 deltas', { ...base, deltas: [1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => i / 100) }, 400, 'spec.deltas'],
      ['unknown target metric', { ...base, target: { metric: 'energy', value: 5 } }, 400, 'spec.target.metric'],
      ['latency target 0 ms', { ...base, target: { metric: 'latency', value: 0 } }, 400, 'spec.target.value'],
      ['target value 0', { ...base, target: { metric: 'params', value: 0 } }, 400, 'spec.target.value'],
      ['one epoch per trial', { ...base, epochsPerTrial: 1 }, 400, 'spec.epochsPerTrial'],
      ['phi0 0', { ...base, phi0: 0 }, 400, 'spec.phi0'],
      ['gamma 0', { ...base, gamma: 0 }, 400, 'spec.gamma'],
      ['mu negative', { ...base, mu: -1 }, 400, 'spec.mu'],
      ['minChannels above maxChannels', { ...base, minChannels: 64, maxChannels: 32 }, 400, 'spec.minChannels'],
      ['export without retrain', { ...base, retrain: false, exportModel: true }, 400, 'spec.exportModel'],
      ['unknown vote', { ...base, vote: 'all' }, 400, 'spec.vote'],
      ['unknown weights', { ...base, weights: 'keep' }, 400, 'spec.weights'],
      ['unknown dataset', { ...base, dataset: 'imagenet' }, 400, 'spec.dataset'],
      ['uploaded dataset the team does not have', { ...base, dataset: '3f0b8a52-6a43-4f7e-9d0c-0a1b2c3d4e5f' }, 400, 'spec.dataset'],
      ['unknown property', { ...base, width: 3 }, 400, 'spec.width'],
    ];
    for (const [name, spec, status, field] of cases) {
      const { response, error } = await c.POST('/v1/jobs', { body: { kind: 'conet', spec } });
      const body = error as unknown as { errors?: Array<{ field: string; rule: string }> };
      assert.equal(response.status, status, `${name}: ${JSON.stringify(body)}`);
      assert.ok(body.errors?.some((e) => e.field === field && e.rule), `${name}: ${field} named in ${JSON.stringify(body)}`);
    }
    const { data } = await c.GET('/v1/jobs', { params: { query: {} } });
    assert.deepEqual(data?.items, [], 'no job was created');
  });

  test('a model artefact of another format is refused with a 400 naming spec.network.modelArtifact', async () => {
    const { response, error } = await client.POST('/v1/jobs', { body: { kind: 'conet', spec: { ...TINY, network: { kind: 'artifact', modelArtifact: otherFormatModel } } } });
    assert.equal(response.status, 400, JSON.stringify(error));
    const body = error as unknown as { errors: Array<{ field: string; rule: string; message: string }> };
    const v = body.errors.find((e) => e.field === 'spec.network.modelArtifact');
    assert.ok(v && v.rule === 'artifactFormat' && /nb201-model\/1/.test(v.message), JSON.stringify(body));
  });

  test('ResNet preset: progress per trial over SSE, trials with sizes / R-bar / kappa / S / decisions, the exported LayersModel artefact', async () => {
    const { id, result, progress } = await runJob({ ...TINY, dataset: 'cifar10-subset', network: RESNET, deltas: [0.0075, 0.05], target: { metric: 'params', value: 5000 } });
    const trials = progress.filter((p) => p.stage === 'trial');
    assert.equal(trials.length, 4, 'two trials for each of two deltas reported over SSE');
    // the job runner throttles progress to 4/s per phase: two retrains finishing within 250 ms may show as one event
    const retrains = progress.filter((p) => p.stage === 'retrain').length;
    assert.ok(retrains >= 1 && retrains <= 2, `retrain progress events: ${retrains}`);
    assert.ok(trials.every((p) => p.phase === 'search' && typeof p.channels === 'object' && typeof p.meanRBar === 'number'));
    const runs = result.runs as Array<{ delta: number; trials: Array<{ channels: Json; layers: Array<{ rBar: number[]; kappaBar: unknown[]; slope: number }>; decisions: unknown[] }>; retrain: Json | null; params: number }>;
    assert.deepEqual(runs.map((r) => r.delta), [0.0075, 0.05]);
    for (const r of runs) {
      assert.equal(r.trials.length, 2);
      assert.ok(r.retrain && typeof r.retrain.testAccuracy === 'number');
      for (const tr of r.trials) {
        assert.equal(Object.keys(tr.channels).length, (result.groups as unknown[]).length);
        assert.ok(tr.layers.every((l) => l.rBar.length === 2 && l.kappaBar.length === 2 && Number.isFinite(l.slope)));
        assert.equal(tr.decisions.length, (result.groups as unknown[]).length);
      }
    }
    assert.equal((result.curve as unknown[]).length, 2);
    const target = result.target as Json;
    assert.equal(target.metric, 'params');
    const final = result.final as Json;
    assert.ok([0.0075, 0.05].includes(final.delta as number));
    assert.match(final.chosenBy as string, /target params 5000/);
    assert.equal((result.evidence as Json).evaluation, 'stand-alone-training');
    assert.equal(((result.evidence as Json).schedule as Json).shortened, true);
    assert.equal(result.weights, 'restart', 'the default: every trial from a seeded initialisation');
    // the exported model: a `model` artefact of this job, a LayersModel bundle of the final sizes
    const artifactId = result.modelArtifactId as string;
    assert.match(artifactId, /^[0-9a-f-]{36}$/);
    const list = (await client.GET('/v1/artifacts', { params: { query: { jobId: id } } })).data?.items ?? [];
    assert.deepEqual(list.map((a) => a.id), [artifactId]);
    assert.equal(list[0].kind, 'model');
    assert.equal((list[0].meta as Json).format, 'conet-layers-model/1');
    const bundle = await download(artifactId);
    assert.equal(bundle.format, 'conet-layers-model/1');
    assert.deepEqual(bundle.groupSizes, final.sizes);
    assert.equal(((bundle.modelJson as Json).modelTopology as Json).class_name ?? 'Model', 'Model');
    assert.ok(typeof bundle.weightsBase64 === 'string' && (bundle.weightsBase64 as string).length > 100);
  });

  test('NB201 arch by benchmark index on MNIST', async () => {
    const { result } = await runJob({ ...TINY, network: { kind: 'nb201', arch: 6111, C: 4, N: 1 }, delta: 0.01, retrain: false, weights: 'transplant' });
    assert.equal(result.weights, 'transplant');
    const trials = (result.runs as Array<{ trials: Array<{ transplanted: { copied: number; total: number } | null }> }>)[0].trials;
    assert.equal(trials[0].transplanted, null);
    assert.ok(trials[1].transplanted && trials[1].transplanted.copied > 0, JSON.stringify(trials[1].transplanted));
    const network = result.network as Json;
    assert.equal(network.kind, 'nb201');
    assert.match(network.arch as string, /^\|/);
    assert.equal(network.source, 'preset');
    assert.equal(result.modelArtifactId, undefined, 'no retrain, no export');
    assert.equal((result.final as Json).testAccuracy, null);
    assert.equal((result.runs as unknown[]).length, 1);
  });

  test("the model artefact of an nb201-train job as the network (its arch, C, N)", async () => {
    const trained = await runJob({ arch: NB201_ARCH, dataset: 'mnist', C: 4, N: 1, epochs: 1, batchSize: 32, lr: 0.05, seed: 3, maxTrainImages: 128, maxTestImages: 64 }, 'nb201-train');
    const modelId = trained.result.modelArtifactId as string;
    assert.match(modelId, /^[0-9a-f-]{36}$/);
    const { result } = await runJob({ ...TINY, network: { kind: 'artifact', modelArtifact: modelId } });
    const network = result.network as Json;
    assert.equal(network.kind, 'nb201');
    assert.equal(network.arch, NB201_ARCH);
    assert.equal(network.C, 4);
    assert.equal(network.source, 'model-file');
    assert.equal(network.modelFormat, 'nb201-model/1');
    const groups = result.groups as Array<{ start: number }>;
    assert.ok(groups.some((g) => g.start === 4) && groups.some((g) => g.start === 16), 'stage widths C..4C');
    assert.match(result.modelArtifactId as string, /^[0-9a-f-]{36}$/);
  });

  test('an uploaded dataset (CIFAR-10 binary, 96 train / 32 test images) as the data', async () => {
    const images = path.join(loadConfig().dataDir, 'images', 'cifar10');
    const train = zlib.gunzipSync(fs.readFileSync(path.join(images, 'cifar10_train_first4000.bin.gz'))).subarray(0, 3073 * 96);
    const testPart = zlib.gunzipSync(fs.readFileSync(path.join(images, 'cifar10_test_first846.bin.gz'))).subarray(0, 3073 * 32);
    const up = await request(t.baseUrl)
      .post('/v1/datasets')
      .set('Authorization', `Bearer ${key}`)
      .field('name', 'cifar 96')
      .field('format', 'cifar10-binary')
      .attach('train', train, 'data_batch_1.bin')
      .attach('test', testPart, 'test_batch.bin');
    assert.equal(up.status, 201, JSON.stringify(up.body));
    const { result } = await runJob({ ...TINY, dataset: up.body.id as string, maxTrainImages: undefined, maxTestImages: undefined, network: RESNET, maxTrials: 1 });
    assert.equal(result.trainImages, 96);
    assert.equal(result.testImages, 32);
    assert.deepEqual(result.imageShape, [32, 32, 3]);
    assert.equal(((result.evidence as Json).data as Json).trainImages, 96);
  });

  test('a running job is cancelled', async () => {
    const { data } = await client.POST('/v1/jobs', { body: { kind: 'conet', spec: { ...TINY, network: RESNET, maxTrials: 20, maxTrainImages: 256 } } });
    assert.ok(data);
    await waitFor(async () => ((await client.GET('/v1/jobs/{id}', { params: { path: { id: data.id } } })).data?.status === 'running' ? true : undefined), 60_000, 'running');
    const c = await client.POST('/v1/jobs/{id}/cancel', { params: { path: { id: data.id } } });
    assert.ok([200, 202].includes(c.response.status), String(c.response.status));
    assert.equal((await finalJob(data.id, 60_000)).status, 'cancelled');
    assert.deepEqual((await client.GET('/v1/artifacts', { params: { query: { jobId: data.id } } })).data?.items, []);
  });
});
