// Latency targets through the real API, worker, PostgreSQL and trainer processes: malformed latency budgets/targets
// are 4xx naming the field (no job created); a scalenet-family job with maxLatencyMs (tiny schedule, M = 1) builds the
// per-block latency table first (reported, stored as a `latency-table` artefact), a second job reuses it, and with the
// table cached a budget below the fastest path is refused at submission (400, no job); an
// nss-elite-space job with targetLatencyMs (tiny) builds the residual-block table and reports L_lat figures.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createNasClient, NasClient } from '../../openapi/client';
import { startTestApp, TestApp } from '../support/harness';
import { runJobToSuccess } from '../support/run-job';

type Json = Record<string, unknown>;

const SCALENET_TINY = { dataset: 'cifar10-subset', preset: 'small', M: 1, epochs: 1, batchSize: 16, maxTrainImages: 64, evalImages: 8, recalBatches: 1, f0Samples: 200, T: 1, K: 1, P: 4, N: 1, seed: 2, generaliseTo: 2 };
const CONET_TINY = { dataset: 'mnist', network: { kind: 'resnet', blocksPerStage: [1, 1, 1], stageChannels: [4, 6, 8] }, deltas: [-0.5, 0.5], epochsPerTrial: 2, maxTrials: 2, batchSize: 32, seed: 2, maxTrainImages: 64, retrain: false, target: { metric: 'latency', value: 1000 } };
const NSS_TINY = { dataset: 'mnist', preset: 'small', epochs: 2, warmupFraction: 0.5, batchSize: 16, seed: 5, maxTrainImages: 64, evalImages: 16, archSamples: 1 };

describe('latency targets from the shared LUT library (real API, worker, trainer)', () => {
  let t: TestApp;
  let key: string;
  let client: NasClient;

  before(async () => {
    // fewer timed runs per unit than the service's default (3 warm-up + 11): this tests the path, not the figures
    process.env.LATENCY_LUT_WARMUP = '1';
    process.env.LATENCY_LUT_RUNS = '3';
    t = await startTestApp({ heartbeatMs: 200 });
    key = (await t.createTeam('latency-team')).key;
    client = createNasClient(t.baseUrl, key);
  });
  after(async () => t?.close());

  async function runJob(kind: 'scalenet-family' | 'nss-elite-space' | 'nss-search' | 'conet', spec: Json): Promise<{ result: Json; progress: Json[] }> {
    return runJobToSuccess(t.baseUrl, key, client, kind, spec, 900_000);
  }

  test('malformed latency budgets and targets are 4xx naming the field; no job is created', async () => {
    const bad = await t.createTeam('latency-bad');
    const c = createNasClient(t.baseUrl, bad.key);
    const cases: Array<[string, 'scalenet-family' | 'nss-elite-space' | 'nss-search' | 'conet', Json, number, string]> = [
      ['l0 zero', 'scalenet-family', { ...SCALENET_TINY, maxLatencyMs: { l0: 0 } }, 400, 'spec.maxLatencyMs.l0'],
      ['l0 not a number', 'scalenet-family', { ...SCALENET_TINY, maxLatencyMs: { l0: 'fast' } }, 400, 'spec.maxLatencyMs.l0'],
      ['list of the wrong length', 'scalenet-family', { ...SCALENET_TINY, maxLatencyMs: { list: [1, 2, 3] } }, 400, 'spec.maxLatencyMs.list'],
      ['list not increasing', 'scalenet-family', { ...SCALENET_TINY, maxLatencyMs: { list: [5, 4] } }, 400, 'spec.maxLatencyMs.list[1]'],
      ['l0 and list', 'scalenet-family', { ...SCALENET_TINY, maxLatencyMs: { l0: 5, list: [5, 10] } }, 400, 'spec.maxLatencyMs'],
      ['neither l0 nor list', 'scalenet-family', { ...SCALENET_TINY, maxLatencyMs: {} }, 400, 'spec.maxLatencyMs'],
      // no latency table is cached for this team: the probe of the stages' fastest paths refuses a budget far below them
      ['l0 far below any network (probe)', 'scalenet-family', { ...SCALENET_TINY, maxLatencyMs: { l0: 1e-4 } }, 400, 'spec.maxLatencyMs'],
      ['nss: latency and FLOPs targets', 'nss-elite-space', { ...NSS_TINY, targetFlops: 8e6, targetLatencyMs: 10 }, 400, 'spec.targetLatencyMs'],
      ['nss: negative latency target', 'nss-elite-space', { ...NSS_TINY, targetLatencyMs: -1 }, 400, 'spec.targetLatencyMs'],
      ['nss: no target', 'nss-elite-space', { ...NSS_TINY }, 400, 'spec.targetFlops'],
      ['nss-search: latency and FLOPs targets', 'nss-search', { dataset: 'mnist', preset: 'small', seed: 1, targetFlops: 8e6, targetLatencyMs: 5 }, 400, 'spec.targetLatencyMs'],
      ['nss-search: paper preset latency table too large', 'nss-search', { dataset: 'mnist', preset: 'paper', seed: 1, targetLatencyMs: 5 }, 422, 'spec.targetLatencyMs'],
      ['conet: latency target of 0 ms', 'conet', { ...CONET_TINY, target: { metric: 'latency', value: 0 } }, 400, 'spec.target.value'],
    ];
    for (const [name, kind, spec, status, field] of cases) {
      const { response, error } = await c.POST('/v1/jobs', { body: { kind, spec } });
      const body = error as unknown as { detail?: string; errors?: Array<{ field: string; rule: string }> };
      assert.equal(response.status, status, `${name}: ${JSON.stringify(body)}`);
      assert.ok(body.errors?.some((e) => e.field === field && e.rule), `${name}: ${field} named in ${JSON.stringify(body)}`);
      if (name.endsWith('(probe)')) assert.match(String(body.detail), /probe on .*no latency table of this space is cached yet/);
    }
    const { data } = await c.GET('/v1/jobs', { params: { query: {} } });
    assert.deepEqual(data?.items, [], 'no job was created');
  });

  test('scalenet-family with maxLatencyMs: the LUT is built once (artefact), MCEA meets the cap, a second job reuses the table', async () => {
    const spec = { ...SCALENET_TINY, maxLatencyMs: { l0: 1000 } };
    const first = await runJob('scalenet-family', spec);
    assert.ok(first.progress.some((p) => p.phase === 'latency-table'), 'the table build reports progress');
    const lat = first.result.latency as Json & { table: Json; budgetsMs: number[]; fastestMs: number[] };
    assert.ok(lat, JSON.stringify(Object.keys(first.result)));
    assert.deepEqual(lat.budgetsMs, [1000, 2000]);
    assert.equal(lat.flopsEnforced, false);
    assert.match(String(lat.provenance), /^LUT prediction/);
    assert.equal(lat.backend, (first.result.backend as Json).name, 'measured on the inference backend the trainer uses');
    assert.equal(lat.table.built, true);
    assert.ok(Number(lat.table.buildSeconds) > 0 && Number(lat.table.entries) > 1000);
    const family = first.result.family as Array<{ stage: number; latencyMs: number | null; latencyBudgetMs: number; withinLatencyBudget: boolean | null }>;
    for (const m of family.slice(0, 2)) {
      assert.ok(typeof m.latencyMs === 'number' && m.latencyMs > 0, JSON.stringify(m));
      assert.equal(m.withinLatencyBudget, true);
    }
    const arts = await client.GET('/v1/artifacts', { params: { query: { kind: 'latency-table' } } });
    assert.equal(arts.data?.items.length, 1);
    assert.equal(arts.data?.items[0].id, lat.table.artifactId);

    const second = await runJob('scalenet-family', { ...spec, seed: 3 });
    const lat2 = second.result.latency as Json & { table: Json };
    assert.equal(lat2.table.built, false);
    assert.equal(lat2.table.buildSeconds, null);
    assert.equal(lat2.table.artifactId, lat.table.artifactId);
    assert.ok(!second.progress.some((p) => p.phase === 'latency-table'), 'no second build');

    // with the team's table cached, a budget below stage 0's fastest path is refused at submission: no job is created
    const before = (await client.GET('/v1/jobs', { params: { query: {} } })).data?.items.length;
    const tooFast = await client.POST('/v1/jobs', { body: { kind: 'scalenet-family', spec: { ...spec, maxLatencyMs: { l0: lat.fastestMs[0] / 2 } } } });
    const problem = tooFast.error as unknown as { detail?: string; errors?: Array<{ field: string; rule: string; message: string }> };
    assert.equal(tooFast.response.status, 400, JSON.stringify(problem));
    assert.ok(problem.errors?.some((e) => e.field === 'spec.maxLatencyMs' && e.rule === 'reachable' && e.message.includes(lat.fastestMs[0].toFixed(3))), JSON.stringify(problem));
    assert.match(String(problem.detail), new RegExp(`latency-table artefact ${String(lat.table.artifactId)}`));
    assert.equal((await client.GET('/v1/jobs', { params: { query: {} } })).data?.items.length, before, 'no job was created');
  });

  test('nss-elite-space with targetLatencyMs: residual-block LUT, L_lat figures, backend named', async () => {
    const { result } = await runJob('nss-elite-space', { ...NSS_TINY, targetLatencyMs: 5 });
    const lat = result.latency as Json & { table: Json; eliteSpace: Json; spaceRangeMs: number[] };
    assert.ok(lat, JSON.stringify(Object.keys(result)));
    assert.equal(result.targetFlops, null);
    assert.equal(lat.targetMs, 5);
    assert.equal(lat.table.built, true);
    assert.ok(lat.spaceRangeMs[0] < lat.spaceRangeMs[1]);
    assert.ok(Number(lat.eliteSpace.meanMs) > 0 && Number(lat.expectedLatencyMs) > 0);
    assert.match(String(lat.provenance), /^LUT prediction/);

    // nss-search on the same Expanded Search Space (MNIST, small) reuses that table
    const search = await runJob('nss-search', { dataset: 'mnist', preset: 'small', seed: 1, targetLatencyMs: Number(lat.eliteSpace.meanMs), maxSamples: 500 });
    const sl = search.result.latency as Json & { table: Json };
    assert.equal(sl.table.built, false, 'the nss-elite-space job\'s table is reused');
    assert.equal(search.result.targetFlops, null);
    const closest = search.result.closestOfN as { latencyMs: number; deviation: number };
    assert.ok(closest.latencyMs > 0 && Math.abs(Math.abs(closest.latencyMs / Number(lat.eliteSpace.meanMs) - 1) - closest.deviation) < 1e-9, JSON.stringify(closest));
  });

  test('conet with a latency target: the sweep points get per-layer LUT latencies; a second job finds the stored table', async () => {
    const first = await runJob('conet', CONET_TINY);
    const lat = first.result.latency as { backend: string; measuredNow: number; fromCache: boolean; perRun: number[]; provenance: string };
    assert.ok(lat && lat.measuredNow > 0 && !lat.fromCache, JSON.stringify(lat));
    assert.match(lat.provenance, /^LUT prediction/);
    const curve = first.result.curve as Array<{ latencyMs: number | null }>;
    assert.deepEqual(curve.map((p) => p.latencyMs), lat.perRun);
    assert.ok(typeof first.result.latencyTableArtifactId === 'string');
    const second = await runJob('conet', CONET_TINY);
    const lat2 = second.result.latency as { measuredNow: number; fromCache: boolean; perRun: number[] };
    assert.equal(lat2.fromCache, true);
    assert.equal(lat2.measuredNow, 0);
    assert.deepEqual(lat2.perRun, lat.perRun, 'same seed, same sizes, same table');
    assert.equal(second.result.latencyTableArtifactId, undefined, 'nothing new to store');
  });
});
