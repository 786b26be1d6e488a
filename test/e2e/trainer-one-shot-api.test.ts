// `se-nas-nb201` and `spos-nb201` jobs through the real API, job runner, PostgreSQL and a trainer child process, on a
// tiny configuration (C=2, N=1, 256 CIFAR-10 images, one epoch per stage): the whole job path, the result's
// structure, shrinking by exactly k per stage, and the ground-truth correlation against the NB201 table.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createNasClient, NasClient } from '../../openapi/client';
import { startTestApp, TestApp } from '../support/harness';
import { runJobToSuccess } from '../support/run-job';

type Json = Record<string, unknown>;

const TINY = { dataset: 'cifar10-subset', C: 2, N: 1, batchSize: 32, seed: 4, maxTrainImages: 256, evalImages: 48, correlationSample: 8, searchQueries: 12 };

async function runJob(t: TestApp, key: string, client: NasClient, kind: 'se-nas-nb201' | 'spos-nb201', spec: Json): Promise<{ result: Json; progress: Json[] }> {
  return runJobToSuccess(t.baseUrl, key, client, kind, spec, 240_000);
}

describe('one-shot NB201 jobs: se-nas-nb201 and spos-nb201 (real API, worker, PostgreSQL, trainer process)', () => {
  let t: TestApp;
  let key: string;
  let client: NasClient;

  before(async () => {
    t = await startTestApp({ heartbeatMs: 200 });
    key = (await t.createTeam('one-shot-team')).key;
    client = createNasClient(t.baseUrl, key);
  });
  after(async () => t?.close());

  test('both kinds are listed with their spec and result schemas', async () => {
    const { data } = await client.GET('/v1/jobs/kinds');
    for (const [kind, spec] of [['se-nas-nb201', 'SeNasNb201Spec'], ['spos-nb201', 'SposNb201Spec']]) {
      const k = data?.find((x) => x.kind === kind);
      assert.ok(k, `${kind} in ${JSON.stringify(data)}`);
      assert.equal(k.specSchema, spec);
      assert.equal(k.resultSchema, 'OneShotResultDto');
    }
  });

  test('bad specs are 4xx problems naming the field, and no job is created', async () => {
    const bad = await t.createTeam('one-shot-bad');
    const c = createNasClient(t.baseUrl, bad.key);
    const se: Json = { ...TINY, epochsPerStage: 1 };
    const cases: Array<[string, string, Json, number, string]> = [
      ['stages x k over 24', 'se-nas-nb201', { ...se, stages: 3, k: 10 }, 400, 'spec.k'],
      ['k 0', 'se-nas-nb201', { ...se, k: 0 }, 400, 'spec.k'],
      ['stages 0', 'se-nas-nb201', { ...se, stages: 0 }, 400, 'spec.stages'],
      ['T 0', 'se-nas-nb201', { ...se, T: 0 }, 400, 'spec.T'],
      ['unknown scoring', 'se-nas-nb201', { ...se, scoring: 'best' }, 400, 'spec.scoring'],
      ['epochsPerStage missing', 'se-nas-nb201', { ...TINY }, 400, 'spec.epochsPerStage'],
      ['samplesPerStage 2', 'se-nas-nb201', { ...se, samplesPerStage: 2 }, 400, 'spec.samplesPerStage'],
      ['unknown dataset', 'se-nas-nb201', { ...se, dataset: 'imagenet' }, 400, 'spec.dataset'],
      ['uploaded dataset the team does not have', 'se-nas-nb201', { ...se, dataset: '3f0b8a52-6a43-4f7e-9d0c-0a1b2c3d4e5f' }, 400, 'spec.dataset'],
      ['C 65', 'spos-nb201', { ...TINY, epochs: 1, C: 65 }, 400, 'spec.C'],
      ['epochs 0', 'spos-nb201', { ...TINY, epochs: 0 }, 400, 'spec.epochs'],
      ['lr negative', 'spos-nb201', { ...TINY, epochs: 1, lr: -1 }, 400, 'spec.lr'],
      ['unknown property', 'spos-nb201', { ...TINY, epochs: 1, k: 3 }, 400, 'spec.k'],
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

  test('se-nas-nb201: two shrinking stages remove k=10 operators each, the result is structured and checked against NB201', async () => {
    const { result, progress } = await runJob(t, key, client, 'se-nas-nb201', { ...TINY, epochsPerStage: 1, stages: 2, k: 10, T: 9, samplesPerStage: 10, snapshots: 2 });
    // progress over SSE: stage, epoch, loss and the surviving operators
    assert.ok(progress.some((p) => p.phase === 'search' && typeof p.stage === 'number' && typeof p.surviving === 'number' && typeof p.epoch === 'number'), JSON.stringify(progress.slice(0, 3)));
    assert.ok(progress.some((p) => p.surviving === 20) && progress.some((p) => p.surviving === 10), 'surviving counts 20 and 10 were reported');

    const surviving = result.survivingOperators as string[][];
    assert.equal(surviving.length, 6);
    assert.equal(surviving.flat().length, 30 - 2 * 10);
    assert.ok(surviving.every((ops) => ops.length >= 1));
    const stages = result.stages as Array<{ removed?: unknown[]; scores?: Array<{ si: number; sc: number; score: number }>; children?: unknown[] }>;
    assert.equal(stages.length, 3, 'two shrinking stages and the final stage');
    assert.equal(stages[0].removed?.length, 10);
    assert.equal(stages[1].removed?.length, 10);
    assert.equal(stages[0].children?.length, 10);
    assert.equal(stages[0].scores?.length, 30);
    assert.equal(stages[2].removed, undefined);
    // the searched arch is in the final space
    const arch = result.arch as string;
    const ops = [...arch.matchAll(/\|([a-z_0-9]+)~\d/g)].map((m) => m[1]);
    assert.equal(ops.length, 6);
    ops.forEach((op, e) => assert.ok(surviving[e].includes(op), `edge ${e}: ${op} in ${surviving[e]}`));

    const record = result.benchmarkRecord as Json;
    assert.equal(record.arch, arch);
    assert.ok((record.cifar10Test200 as number) > 0 && (record.regret as number) >= 0);
    const corr = result.correlation as { fullSpaceSample: Json | null; finalSpace: Json | null; note: string };
    assert.equal(corr.fullSpaceSample?.n, 8);
    assert.ok(Number.isFinite(corr.fullSpaceSample?.kendallTau) && Number.isFinite(corr.fullSpaceSample?.spearmanRho));
    assert.ok(corr.finalSpace && (corr.finalSpace.n as number) >= 3);
    // per-stage checks (Figs. 7-8) and the six Table 3 numbers travel through the API
    const perStage = (result.correlation as { perStage: Array<{ block: number; set: string; archs: string[]; supernetAccuracies: number[]; groundTruth: number[] }> }).perStage;
    assert.deepEqual(perStage.map((c) => [c.block, c.set]), [[1, 'full-space-sample'], [2, 'current-space'], [3, 'current-space']]);
    assert.ok(perStage.every((c) => c.archs.length === c.supernetAccuracies.length && c.archs.length === c.groundTruth.length));
    assert.deepEqual(Object.keys(record.table3 as Json).sort(), ['cifar100Test', 'cifar100Valid', 'cifar10Test', 'cifar10Valid', 'imageNet16Test', 'imageNet16Valid']);
    assert.equal((record.table3 as Json).cifar10Test, record.cifar10Test200);
    const schedule = result.schedule as Json;
    assert.equal(schedule.shortened, true);
    assert.match(schedule.description as string, /SHORTENED/);
    assert.ok((result.notes as string[]).some((n) => /SHORTENED/.test(n)));
    assert.equal(result.method, 'se-nas');
  });

  test('spos-nb201: every operator survives and the best child comes from an evolutionary search over the full space', async () => {
    const { result } = await runJob(t, key, client, 'spos-nb201', { ...TINY, epochs: 1 });
    assert.equal(result.method, 'spos');
    assert.equal((result.survivingOperators as string[][]).flat().length, 30);
    const search = result.search as { how: string; evaluated: unknown[]; spaceSize: number };
    assert.equal(search.how, 'evolution');
    assert.equal(search.spaceSize, 15625);
    assert.equal(search.evaluated.length, 12);
    assert.equal((result.stages as unknown[]).length, 1);
    assert.ok((result.correlation as { fullSpaceSample: Json | null }).fullSpaceSample);
  });
});
