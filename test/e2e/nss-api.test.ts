// NSS through the real API, job runner, PostgreSQL and trainer child processes, with the generated client and SSE:
// `nss-elite-space` on a builtin dataset and on an uploaded one, each to an `elite-space` artefact (the Elite Space
// and the searched supernet's weights in one file); a follow-up `nss-search` inside each Elite Space by artefact id
// (candidates evaluated on the stored supernet weights; on the builtin one also a short stand-alone training) and
// inside the whole Expanded Search Space; and bad specs refused with a 4xx naming the field before any job is created.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createNasClient, NasClient } from '../../openapi/client';
import { loadConfig } from '../../src/config/config';
import { decodeCheckpoint } from '../../src/trainer/checkpoint-file';
import { startTestApp, TestApp } from '../support/harness';
import { runJobToSuccess } from '../support/run-job';

type Json = Record<string, unknown>;

/** small preset at 28x28x1: 0.25 .. 73.0 MFLOPs. Tiny: 64 training images (2 x 32), 2 epochs (1 warm-up), 32 test images. */
const TINY = { dataset: 'mnist', preset: 'small', targetFlops: 8_000_000, epochs: 2, warmupFraction: 0.5, batchSize: 16, seed: 5, maxTrainImages: 64, evalImages: 32, archSamples: 2 };
const IMAGES = path.join(loadConfig().dataDir, 'images', 'mnist');

async function runJob(t: TestApp, key: string, client: NasClient, kind: 'nss-elite-space' | 'nss-search', spec: Json): Promise<{ result: Json; progress: Json[] }> {
  return runJobToSuccess(t.baseUrl, key, client, kind, spec, 300_000);
}

describe('NSS jobs: nss-elite-space and nss-search (real API, worker, PostgreSQL, trainer process)', () => {
  let t: TestApp;
  let key: string;
  let client: NasClient;
  let eliteId: string;

  before(async () => {
    t = await startTestApp({ heartbeatMs: 200 });
    key = (await t.createTeam('nss-team')).key;
    client = createNasClient(t.baseUrl, key);
  });
  after(async () => t?.close());

  test('both kinds are listed with their spec and result schemas', async () => {
    const { data } = await client.GET('/v1/jobs/kinds');
    for (const [kind, spec, result] of [['nss-elite-space', 'NssEliteSpaceSpec', 'NssEliteSpaceResultDto'], ['nss-search', 'NssSearchSpec', 'NssSearchResultDto']]) {
      const k = data?.find((x) => x.kind === kind);
      assert.ok(k, `${kind} in ${JSON.stringify(data)}`);
      assert.equal(k.specSchema, spec);
      assert.equal(k.resultSchema, result);
    }
  });

  test('bad specs are 4xx problems naming the field, and no job is created', async () => {
    const bad = await t.createTeam('nss-bad');
    const c = createNasClient(t.baseUrl, bad.key);
    const search = { dataset: 'cifar10-subset', preset: 'small', targetFlops: 12e6, seed: 1 };
    const cases: Array<[string, 'nss-elite-space' | 'nss-search', Json, number, string]> = [
      ['target no network can meet (above the largest)', 'nss-elite-space', { ...TINY, targetFlops: 90e6 }, 400, 'spec.targetFlops'],
      ['target below the smallest network', 'nss-elite-space', { ...TINY, targetFlops: 1000 }, 400, 'spec.targetFlops'],
      ['target not a number', 'nss-elite-space', { ...TINY, targetFlops: 'big' }, 400, 'spec.targetFlops'],
      ['no target', 'nss-elite-space', { ...TINY, targetFlops: undefined }, 400, 'spec.targetFlops'],
      ['latency and FLOPs targets together', 'nss-elite-space', { ...TINY, targetLatencyMs: 10 }, 400, 'spec.targetLatencyMs'],
      ['latency target not positive', 'nss-elite-space', { ...TINY, targetFlops: undefined, targetLatencyMs: -1 }, 400, 'spec.targetLatencyMs'],
      ['paper preset (supernet too large for the CPU trainer)', 'nss-elite-space', { ...TINY, preset: 'paper', targetFlops: 600e6 }, 422, 'spec.preset'],
      ['unknown preset', 'nss-elite-space', { ...TINY, preset: 'tiny' }, 400, 'spec.preset'],
      ['epochs 0', 'nss-elite-space', { ...TINY, epochs: 0 }, 400, 'spec.epochs'],
      ['n 0', 'nss-elite-space', { ...TINY, n: 0 }, 400, 'spec.n'],
      ['warmupFraction 1', 'nss-elite-space', { ...TINY, warmupFraction: 1 }, 400, 'spec.warmupFraction'],
      ['lambda negative', 'nss-elite-space', { ...TINY, lambda: -1 }, 400, 'spec.lambda'],
      ['unknown property', 'nss-elite-space', { ...TINY, k: 3 }, 400, 'spec.k'],
      ['uploaded dataset the team does not have', 'nss-elite-space', { ...TINY, dataset: '3f0b8a52-6a43-4f7e-9d0c-0a1b2c3d4e5f' }, 400, 'spec.dataset'],
      ['nss-search without preset or eliteSpace', 'nss-search', { ...search, preset: undefined }, 400, 'spec.preset'],
      ['nss-search eliteSpace not a uuid', 'nss-search', { ...search, eliteSpace: 'elite' }, 400, 'spec.eliteSpace'],
      ['nss-search eliteSpace of no artefact', 'nss-search', { ...search, eliteSpace: '3f0b8a52-6a43-4f7e-9d0c-0a1b2c3d4e5f' }, 400, 'spec.eliteSpace'],
      ['nss-search unreachable target', 'nss-search', { ...search, targetFlops: 500e6 }, 400, 'spec.targetFlops'],
      ['nss-search trainEpochs negative', 'nss-search', { ...search, trainEpochs: -1 }, 400, 'spec.trainEpochs'],
    ];
    for (const [name, kind, spec, status, field] of cases) {
      const { response, error } = await c.POST('/v1/jobs', { body: { kind, spec } });
      const body = error as unknown as { errors?: Array<{ field: string; rule: string }> };
      assert.equal(response.status, status, `${name}: ${JSON.stringify(body)}`);
      assert.ok(body.errors?.some((e) => e.field === field && e.rule), `${name}: ${field} named in ${JSON.stringify(body)}`);
    }
    const { data } = await c.GET('/v1/jobs', { params: { query: {} } });
    assert.deepEqual(data?.items, [], 'no job was created');
  });

  test('nss-elite-space on a builtin dataset: progress over SSE, an Elite Space with its figures, saved as an elite-space artefact', async () => {
    const { result, progress } = await runJob(t, key, client, 'nss-elite-space', TINY);
    assert.ok(progress.some((p) => p.phase === 'search' && p.nssPhase === 'warm-up' && typeof p.temperature === 'number' && typeof p.expectedFlops === 'number' && typeof p.epoch === 'number'), JSON.stringify(progress.slice(0, 3)));
    assert.ok(progress.some((p) => p.nssPhase === 'search'), 'search phase reported');
    const elite = result.eliteSpace as { stages: Array<{ depth: number[]; width: number[] }>; networks: number; flops: { mean: number; deviationOfMean: number; histogram: { counts: number[] } } };
    assert.equal(elite.stages.length, 3);
    assert.equal(elite.networks, 4096);
    assert.equal(elite.flops.histogram.counts.reduce((a, b) => a + b, 0), 4096);
    assert.equal(elite.flops.deviationOfMean, Math.abs(elite.flops.mean / TINY.targetFlops - 1));
    assert.equal((result.candidates as unknown[]).length, 5);
    assert.equal((result.theta as unknown[]).length, 3);
    const samples = result.samples as { eliteSpace: Json[]; expandedSearchSpace: Json[] };
    assert.equal(samples.eliteSpace.length, 2);
    assert.equal(samples.expandedSearchSpace.length, 2);
    const table1 = result.table1 as { eliteSpace: Json; expandedSearchSpace: Json };
    assert.equal(table1.expandedSearchSpace.archs, 128 ** 3);
    const evidence = result.evidence as { evaluation: string; schedule: { shortened: boolean } };
    assert.equal(evidence.evaluation, 'supernet');
    assert.equal(evidence.schedule.shortened, true);

    eliteId = result.eliteSpaceArtifactId as string;
    assert.match(eliteId, /^[0-9a-f-]{36}$/, JSON.stringify(result).slice(0, 400));
    const meta = await client.GET('/v1/artifacts/{id}', { params: { path: { id: eliteId } } });
    assert.equal(meta.data?.kind, 'elite-space');
    assert.deepEqual((meta.data?.meta as Json).stages, elite.stages);
    const res = await fetch(`${t.baseUrl}/v1/artifacts/${eliteId}/content`, { headers: { Authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200);
    const content = decodeCheckpoint(Buffer.from(await res.arrayBuffer()), 'artefact content');
    const doc = content.meta as { format: string; space: { depths: number[][]; widths: number[][] }; targetFlops: number; supernet: { steps: number } };
    assert.equal(doc.format, 'nss-elite-space/2');
    assert.equal((meta.data?.meta as Json).format, 'nss-elite-space/2');
    assert.equal(doc.supernet.steps, (result.schedule as Json).steps);
    assert.ok(Object.keys(content.arrays).some((k) => k.startsWith('p:s3.')) && Object.keys(content.arrays).some((k) => k.startsWith('b:')), 'supernet weights stored');
    assert.deepEqual(doc.space.depths, elite.stages.map((s) => s.depth));
    assert.deepEqual(doc.space.widths, elite.stages.map((s) => s.width));
  });

  test('nss-search inside that Elite Space by artefact id (short stand-alone training) and inside the whole Expanded Search Space', async () => {
    assert.ok(eliteId, 'the previous test made the artefact');
    const base = { dataset: 'mnist', targetFlops: 8_000_000, seed: 3 };
    const { result } = await runJob(t, key, client, 'nss-search', { ...base, eliteSpace: eliteId, trainEpochs: 1, maxTrainImages: 64, evalImages: 32, batchSize: 16 });
    assert.equal(result.searchedIn, 'elite-space');
    assert.equal(result.eliteSpaceArtifactId, eliteId);
    assert.equal((result.space as Json).networks, 4096);
    assert.equal((result.closestOfN as Json).n, 5);
    assert.ok(typeof result.accuracy === 'number' && result.accuracy >= 0 && result.accuracy <= 1);
    assert.equal((result.evidence as Json).evaluation, 'stand-alone-training');
    const ev = result.supernetEvaluation as { weights: Json; candidates: Array<{ accuracy: number }> };
    assert.equal(ev.weights.source, 'elite-space-artifact');
    assert.equal(ev.weights.artifactId, eliteId);
    assert.ok(ev.candidates.length >= 5 && ev.candidates.every((c) => c.accuracy >= 0 && c.accuracy <= 1));
    const whole = (await runJob(t, key, client, 'nss-search', { ...base, preset: 'small' })).result;
    assert.equal(whole.searchedIn, 'expanded-search-space');
    assert.equal((whole.space as Json).networks, 128 ** 3);
    const arch = whole.architecture as { deviation: number; samples: number };
    assert.ok(arch.deviation <= 0.1 && arch.samples >= 1);
    assert.equal(whole.accuracy, null);
    assert.equal(whole.supernetEvaluation, null);
  });

  test('nss-elite-space on an uploaded dataset (MNIST IDX) to an elite-space artefact, and a search inside it by artefact id', async () => {
    const form = new FormData();
    form.append('name', 'mnist upload');
    form.append('format', 'mnist-idx');
    const files: Array<[string, string]> = [
      ['trainImages', 'train-images-first3009-idx3-ubyte.gz'],
      ['trainLabels', 'train-labels-first3009-idx1-ubyte.gz'],
      ['testImages', 't10k-images-idx3-ubyte.gz'],
      ['testLabels', 't10k-labels-idx1-ubyte.gz'],
    ];
    for (const [field, file] of files) form.append(field, new Blob([fs.readFileSync(path.join(IMAGES, file))]), file);
    const up = await fetch(`${t.baseUrl}/v1/datasets`, { method: 'POST', headers: { Authorization: `Bearer ${key}` }, body: form });
    const ds = (await up.json()) as { id: string };
    assert.equal(up.status, 201, JSON.stringify(ds));
    const { result } = await runJob(t, key, client, 'nss-elite-space', { ...TINY, dataset: ds.id, seed: 6 });
    assert.match(result.eliteSpaceArtifactId as string, /^[0-9a-f-]{36}$/);
    assert.match((result.schedule as Json).datasetSource as string, /^uploaded:/);
    const list = await client.GET('/v1/artifacts', { params: { query: { kind: 'elite-space' } } });
    assert.ok(list.data?.items.some((a) => a.id === result.eliteSpaceArtifactId));
    const inside = (await runJob(t, key, client, 'nss-search', { dataset: ds.id, eliteSpace: result.eliteSpaceArtifactId, targetFlops: TINY.targetFlops, seed: 4, maxTrainImages: 64, evalImages: 32 })).result;
    assert.equal(inside.searchedIn, 'elite-space');
    assert.equal(inside.eliteSpaceArtifactId, result.eliteSpaceArtifactId);
    assert.equal((inside.supernetEvaluation as { weights: Json }).weights.artifactId, result.eliteSpaceArtifactId);
  });
});
