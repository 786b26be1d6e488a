// Artefacts through the real API, job runner, PostgreSQL and a trainer child process (generated client): an
// nb201-train job creates a `model` artefact without any upload, it downloads with a matching SHA-256, another team
// cannot see it, a job reading it blocks its deletion (409), and a job that fails leaves no artefact.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { IsInt, Max, Min } from 'class-validator';
import { createNasClient, NasClient } from '../../openapi/client';
import { JobKindRegistry } from '../../src/jobs/job-kind.registry';
import { startTestApp, TestApp } from '../support/harness';
import { waitFor } from '../support/sse';

type Json = Record<string, unknown>;

const ARCH = '|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|skip_connect~0|none~1|avg_pool_3x3~2|';
/** A tiny run: 512 MNIST images, C=4 N=1, one epoch of 29 steps, 256 test images. */
const TINY = { arch: ARCH, dataset: 'mnist', C: 4, N: 1, epochs: 1, batchSize: 16, lr: 0.05, seed: 3, maxTrainImages: 512, maxTestImages: 256 };

class WriteThenSpec {
  @IsInt()
  @Min(0)
  @Max(1)
  fail!: number;
}

describe('artifacts (real API, worker, PostgreSQL, trainer process)', () => {
  let t: TestApp;
  let key: string;
  let client: NasClient;
  let other: NasClient;
  let modelId: string;
  let modelSha: string;
  let producingJob: string;

  // polls for minutes on a loaded machine: a reset keep-alive connection is retried, not a failure
  const finalJob = (c: NasClient, id: string, ms = 120_000) =>
    waitFor(
      async () => {
        const j = await c.GET('/v1/jobs/{id}', { params: { path: { id } } }).then(
          (r) => r.data,
          (e: Error & { cause?: { code?: string } }) => {
            if (e.cause?.code === 'ECONNRESET') return undefined;
            throw e;
          },
        );
        return j && ['succeeded', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
      },
      ms,
      `job ${id} to end`,
    );

  before(async () => {
    t = await startTestApp({ heartbeatMs: 200 });
    key = (await t.createTeam('artifacts-team')).key;
    client = createNasClient(t.baseUrl, key);
    other = createNasClient(t.baseUrl, (await t.createTeam('artifacts-other')).key);
    // a kind that writes an artefact from its run context and then fails or succeeds (spec.fail)
    t.app.get(JobKindRegistry).register<WriteThenSpec, { ok: true }, unknown>({
      kind: 'test-write-then',
      summary: 'test kind: creates an elite-space artefact, then fails if spec.fail = 1',
      specClass: WriteThenSpec,
      async run(ctx) {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nas-art-')), 'space.json');
        fs.writeFileSync(file, JSON.stringify({ job: ctx.jobId, ops: [[0, 1], [2, 3]] }));
        await ctx.artifacts?.create({ kind: 'elite-space', name: 'test space', mediaType: 'application/json', file });
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
        if (ctx.spec.fail === 1) throw new Error('failing on purpose after writing an artefact');
        return { ok: true };
      },
    });
  });
  after(async () => t?.close());

  test('an nb201-train job creates a model artefact (no upload): listed, described and downloadable with its SHA-256', async () => {
    const { data, response } = await client.POST('/v1/jobs', { body: { kind: 'nb201-train', spec: TINY } });
    assert.equal(response.status, 202, JSON.stringify(data));
    assert.ok(data);
    producingJob = data.id;
    const job = await finalJob(client, data.id);
    assert.equal(job.status, 'succeeded', JSON.stringify(job.error));
    const result = (await client.GET('/v1/jobs/{id}/result', { params: { path: { id: data.id } } })).data?.result as Json;
    modelId = result.modelArtifactId as string;
    assert.match(modelId, /^[0-9a-f-]{36}$/, JSON.stringify(result));
    assert.equal(result.initWeightsSha256, null);

    const list = await client.GET('/v1/artifacts', { params: { query: { jobId: data.id } } });
    assert.equal(list.response.status, 200);
    assert.deepEqual(list.data?.items.map((a) => a.id), [modelId]);
    const byKind = await client.GET('/v1/artifacts', { params: { query: { kind: 'supernet' } } });
    assert.deepEqual(byKind.data?.items, [], 'kind filter');

    const meta = await client.GET('/v1/artifacts/{id}', { params: { path: { id: modelId } } });
    assert.equal(meta.response.status, 200);
    const a = meta.data;
    assert.ok(a);
    assert.equal(a.kind, 'model');
    assert.equal(a.jobId, data.id);
    assert.equal(a.mediaType, 'application/vnd.nas-service.weights');
    assert.match(a.sha256, /^[0-9a-f]{64}$/);
    assert.equal((a.meta as Json).arch, ARCH);
    assert.equal((a.meta as Json).weightsSha256, result.weightsSha256);
    modelSha = a.sha256;

    const res = await fetch(`${t.baseUrl}/v1/artifacts/${modelId}/content`, { headers: { Authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200);
    const bytes = Buffer.from(await res.arrayBuffer());
    const sha = createHash('sha256').update(bytes).digest('hex');
    assert.equal(bytes.length, a.sizeBytes);
    assert.equal(sha, a.sha256, 'the downloaded bytes hash to the recorded sha256');
    assert.equal(res.headers.get('x-content-sha256'), sha);
    assert.equal(res.headers.get('repr-digest'), `sha-256=:${Buffer.from(sha, 'hex').toString('base64')}:`);
    assert.equal(res.headers.get('content-type'), 'application/vnd.nas-service.weights');
    assert.equal(bytes.subarray(0, 8).toString('ascii'), 'NASCKPT1', 'the model file container');
    // the file under storage is the artefact; the job folder is cleaned up
    assert.equal(fs.existsSync(path.join(t.config.storageDir, 'artifacts', modelId)), true);
    assert.equal(fs.existsSync(path.join(t.config.storageDir, 'checkpoints', data.id)), false);
  });

  test("another team's artefact is 404 everywhere, and it is not listed", async () => {
    assert.ok(modelId);
    assert.equal((await other.GET('/v1/artifacts/{id}', { params: { path: { id: modelId } } })).response.status, 404);
    assert.equal((await other.GET('/v1/artifacts/{id}/content', { params: { path: { id: modelId } }, parseAs: 'stream' })).response.status, 404);
    assert.equal((await other.DELETE('/v1/artifacts/{id}', { params: { path: { id: modelId } } })).response.status, 404);
    assert.deepEqual((await other.GET('/v1/artifacts', { params: { query: {} } })).data?.items, []);
    // nor can another team's job read it
    const { response, error } = await other.POST('/v1/jobs', { body: { kind: 'nb201-train', spec: { ...TINY, initFrom: modelId } } });
    assert.equal(response.status, 400);
    assert.ok((error as unknown as { errors: Array<{ field: string }> }).errors.some((e) => e.field === 'spec.initFrom'), JSON.stringify(error));
    assert.equal((await client.GET('/v1/artifacts/{id}', { params: { path: { id: 'not-a-uuid' } } })).response.status, 400);
  });

  test('a job reading the artefact blocks its deletion (409); it starts from those weights; afterwards delete works and it is 404', async () => {
    assert.ok(modelId);
    const { data, response } = await client.POST('/v1/jobs', { body: { kind: 'nb201-train', spec: { ...TINY, epochs: 2, seed: 4, initFrom: modelId, exportModel: false } } });
    assert.equal(response.status, 202, JSON.stringify(data));
    assert.ok(data);
    const busy = await client.DELETE('/v1/artifacts/{id}', { params: { path: { id: modelId } } });
    assert.equal(busy.response.status, 409, 'queued or running job reads it');
    assert.match(JSON.stringify(busy.error), new RegExp(data.id));
    const job = await finalJob(client, data.id);
    assert.equal(job.status, 'succeeded', JSON.stringify(job.error));
    const result = (await client.GET('/v1/jobs/{id}/result', { params: { path: { id: data.id } } })).data?.result as Json;
    assert.equal(result.initWeightsSha256, modelSha, 'training started from the artefact');
    assert.equal(result.modelArtifactId, undefined, 'exportModel: false exports nothing');

    const gone = await client.DELETE('/v1/artifacts/{id}', { params: { path: { id: modelId } } });
    assert.equal(gone.response.status, 204);
    assert.equal((await client.GET('/v1/artifacts/{id}', { params: { path: { id: modelId } } })).response.status, 404);
    assert.equal((await client.GET('/v1/artifacts/{id}/content', { params: { path: { id: modelId } }, parseAs: 'stream' })).response.status, 404);
    assert.equal(fs.existsSync(path.join(t.config.storageDir, 'artifacts', modelId)), false, 'file removed');
    const producer = (await client.GET('/v1/jobs/{id}', { params: { path: { id: producingJob } } })).data;
    assert.equal(producer?.status, 'succeeded', 'the producing job is untouched');
    const again = await client.POST('/v1/jobs', { body: { kind: 'nb201-train', spec: { ...TINY, initFrom: modelId } } });
    assert.equal(again.response.status, 400, 'a deleted artefact is no valid input');
  });

  test('a job that fails leaves no artefact (row or file); the same kind succeeding publishes its artefact', async () => {
    const failed = (await client.POST('/v1/jobs', { body: { kind: 'test-write-then', spec: { fail: 1 } } })).data;
    const ok = (await client.POST('/v1/jobs', { body: { kind: 'test-write-then', spec: { fail: 0 } } })).data;
    assert.ok(failed && ok);
    assert.equal((await finalJob(client, failed.id, 60_000)).status, 'failed');
    assert.equal((await finalJob(client, ok.id, 60_000)).status, 'succeeded');
    assert.deepEqual((await client.GET('/v1/artifacts', { params: { query: { jobId: failed.id } } })).data?.items, []);
    const published = (await client.GET('/v1/artifacts', { params: { query: { jobId: ok.id } } })).data?.items ?? [];
    assert.equal(published.length, 1);
    assert.equal(published[0].kind, 'elite-space');
    const rows = await waitFor(
      async () => {
        const n = fs.readdirSync(path.join(t.config.storageDir, 'artifacts'));
        return n.length === 1 ? n : undefined;
      },
      10_000,
      'only the published artefact file to remain',
    );
    assert.deepEqual(rows, [published[0].id], 'the failed attempts left no file (temp or final)');
  });
});
