import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadNb201Table } from '../../src/benchmarks/nb201/load';
import { paretoFront } from '../../src/benchmarks/nb201/pareto';
import { loadConfig } from '../../src/config/config';
import { startTestApp, TestApp } from '../support/harness';

const BEST = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|';

interface Problem {
  status: number;
  detail: string;
  errors?: Array<{ field: string; rule: string; message: string }>;
}

function client(t: TestApp, key: string) {
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  return {
    async get<T = Record<string, unknown>>(p: string): Promise<{ status: number; body: T; type: string }> {
      const res = await fetch(`${t.baseUrl}${p}`, { headers });
      return { status: res.status, body: (await res.json()) as T, type: res.headers.get('content-type') ?? '' };
    },
    async post<T = Record<string, unknown>>(p: string, body: unknown): Promise<{ status: number; body: T; type: string }> {
      const res = await fetch(`${t.baseUrl}${p}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as T, type: res.headers.get('content-type') ?? '' };
    },
  };
}

describe('benchmarks API with the NB201 data', () => {
  let t: TestApp;
  let api: ReturnType<typeof client>;
  const table = loadNb201Table(loadConfig().dataDir); // the same data, read in-process as the reference

  before(async () => {
    t = await startTestApp({}, { worker: false });
    api = client(t, (await t.createTeam()).key);
  });
  after(async () => {
    await t?.close();
  });

  test('routes need an API key', async () => {
    const res = await fetch(`${t.baseUrl}/v1/benchmarks`);
    assert.equal(res.status, 401);
  });

  test('GET /v1/benchmarks lists datasets, metrics and devices once loaded', async () => {
    // the table loads in the background at start-up; the catalog reports `loading` until then
    await api.get('/v1/benchmarks/nb201/archs/0');
    const { status, body } = await api.get<{ benchmarks: Array<Record<string, unknown>> }>('/v1/benchmarks');
    assert.equal(status, 200);
    const nb = body.benchmarks[0];
    assert.equal(nb.name, 'nb201');
    assert.equal(nb.available, true);
    assert.equal(nb.status, 'ready');
    assert.equal(nb.size, 15625);
    assert.equal(nb.isoClassCount, 6466);
    assert.deepEqual(nb.datasets, ['cifar10', 'cifar10-valid', 'cifar100', 'ImageNet16-120']);
    assert.equal((nb.metrics as unknown[]).length, 12);
    assert.equal((nb.devices as string[]).length, 27);
    assert.ok((nb.devices as string[]).includes('pixel3'));
    assert.equal(nb.dataDir, path.join(t.config.dataDir, 'nasbench201'));
  });

  test('GET arch by index, URL-encoded arch string and op code give the same full record', async () => {
    const byIndex = await api.get<Record<string, any>>('/v1/benchmarks/nb201/archs/6111');
    assert.equal(byIndex.status, 200);
    const r = byIndex.body;
    assert.equal(r.archStr, BEST);
    assert.equal(r.opCode, '333132');
    assert.deepEqual(r.ops, ['nor_conv_3x3', 'nor_conv_3x3', 'nor_conv_3x3', 'skip_connect', 'nor_conv_3x3', 'nor_conv_1x1']);
    assert.equal(r.isoClass, table.isoClass(6111));
    assert.ok(r.isoClassMembers.includes(6111));
    assert.equal(r.accuracies.length, 12);
    const c10 = r.accuracies.find((a: any) => a.dataset === 'cifar10' && a.split === 'test' && a.epochs === 200);
    assert.equal(c10.accuracy, table.accuracy(6111, 'cifar10', 'test', 200));
    assert.equal(r.seedValidAccuracies.length, 3);
    assert.deepEqual(r.seedValidAccuracies[0].runs, table.seedValidAccuracies(6111, 'cifar10-valid'));
    assert.deepEqual(
      r.costs.find((c: any) => c.dataset === 'cifar10'),
      { dataset: 'cifar10', flops: 153.27297, params: table.params(6111, 'cifar10') },
    );
    assert.equal(r.latencies.length, 27);
    assert.equal(r.latencies.find((l: any) => l.device === 'pixel3').ms, table.latency(6111, 'pixel3'));
    assert.match(r.source, /look-up, no training run/);
    const byStr = await api.get(`/v1/benchmarks/nb201/archs/${encodeURIComponent(BEST)}`);
    assert.deepEqual(byStr.body, r);
    const byCode = await api.get('/v1/benchmarks/nb201/archs/333132');
    assert.deepEqual(byCode.body, r);
  });

  test('GET arch with dataset/epochs options narrows the record', async () => {
    const { status, body } = await api.get<Record<string, any>>('/v1/benchmarks/nb201/archs/0?dataset=cifar100&epochs=12');
    assert.equal(status, 200);
    assert.deepEqual(
      body.accuracies.map((a: any) => `${a.dataset}/${a.split}/${a.epochs}`),
      ['cifar100/test/12', 'cifar100/valid/12'],
    );
    assert.deepEqual(body.seedValidAccuracies, []);
    assert.deepEqual(body.costs, [{ dataset: 'cifar100', flops: 15.65322, params: 0.135156 }]);
  });

  test('POST query: batch look-up with filters and sorting', async () => {
    const keys = [6111, BEST.replace('nor_conv_1x1~2', 'none~2'), '000000', '11472'];
    const { status, body } = await api.post<Record<string, any>>('/v1/benchmarks/nb201/query', {
      keys,
      dataset: 'cifar100',
      device: 'pixel3',
      sortBy: 'accuracy',
    });
    assert.equal(status, 200);
    assert.equal(body.requested, 4);
    assert.equal(body.split, 'test');
    assert.equal(body.epochs, 200);
    const accs = body.results.map((r: any) => r.accuracy);
    assert.deepEqual(accs, [...accs].sort((a, b) => b - a));
    for (const row of body.results) {
      assert.equal(row.accuracy, table.accuracy(row.index, 'cifar100', 'test', 200));
      assert.equal(row.latencyMs, table.latency(row.index, 'pixel3'));
      assert.equal(row.flops, table.flops(row.index, 'cifar100'));
    }
    // all archs under a FLOPs and latency budget, cheapest first
    const all = await api.post<Record<string, any>>('/v1/benchmarks/nb201/query', {
      dataset: 'ImageNet16-120',
      maxFlops: 10,
      device: 'fpga',
      maxLatencyMs: 3,
      sortBy: 'flops',
      limit: 50,
    });
    assert.equal(all.status, 200);
    let expected = 0;
    for (let i = 0; i < table.size; i++) if (table.flops(i, 'ImageNet16-120') <= 10 && table.latency(i, 'fpga') <= 3) expected++;
    assert.equal(all.body.requested, 15625);
    assert.equal(all.body.matched, expected);
    assert.equal(all.body.results.length, Math.min(50, expected));
    for (let k = 1; k < all.body.results.length; k++) assert.ok(all.body.results[k].flops >= all.body.results[k - 1].flops);
  });

  test('GET pareto: exact front for FLOPs, params and a device latency', async () => {
    for (const [qs, cost] of [
      ['cost=flops', table.flopsColumn('cifar10')!],
      ['cost=params', table.paramsColumn('cifar10')!],
      ['cost=latency&device=pixel3', table.latencyColumn('pixel3')!],
    ] as const) {
      const { status, body } = await api.get<Record<string, any>>(`/v1/benchmarks/nb201/pareto?dataset=cifar10&${qs}`);
      assert.equal(status, 200, qs);
      const expected = paretoFront(cost, table.accuracyColumn('cifar10', 'test', 200)!);
      assert.deepEqual(body.front.map((p: any) => p.index), expected, qs);
      assert.equal(body.candidates, 15625);
    }
    const v = await api.get<Record<string, any>>('/v1/benchmarks/nb201/pareto?dataset=cifar10-valid&epochs=12');
    assert.equal(v.status, 200);
    assert.equal(v.body.split, 'valid');
    assert.equal(v.body.costUnit, 'MFLOPs');
  });

  test('POST correlation: 200-ep cifar10-valid valid accuracy as the score vs cifar10 test gives tau-b 0.893677', async () => {
    const valid = table.accuracyColumn('cifar10-valid', 'valid', 200)!;
    const pairs = Array.from(valid, (score, i) => ({ arch: i, score }));
    const { status, body } = await api.post<Record<string, any>>('/v1/benchmarks/nb201/correlation', { pairs, dataset: 'cifar10', topK: [10, 100] });
    assert.equal(status, 200);
    assert.equal(body.n, 15625);
    assert.equal(body.kendallTau.toFixed(6), '0.893677');
    assert.ok(body.spearmanRho > body.kendallTau && body.spearmanRho < 1);
    assert.ok(body.pearsonR > 0.9);
    assert.equal(body.topK.length, 2);
    assert.deepEqual(body.groundTruth, { dataset: 'cifar10', split: 'test', epochs: 200 });
    // arch strings as keys; 12-epoch valid vs test200
    const v12 = table.accuracyColumn('cifar10-valid', 'valid', 12)!;
    const byStr = Array.from(v12, (score, i) => ({ arch: table.archStr(i), score }));
    const r12 = await api.post<Record<string, any>>('/v1/benchmarks/nb201/correlation', { pairs: byStr });
    assert.equal(r12.status, 200);
    assert.equal(r12.body.kendallTau.toFixed(6), '0.594323');
    assert.deepEqual(r12.body.topK.map((x: any) => x.k), [10, 100]);
    // constant scores: tau undefined -> null
    const flat = await api.post<Record<string, any>>('/v1/benchmarks/nb201/correlation', { pairs: [{ arch: 1, score: 0 }, { arch: 2, score: 0 }] });
    assert.equal(flat.status, 200);
    assert.equal(flat.body.kendallTau, null);
  });

  const tooMany = Array.from({ length: 20001 }, (_, i) => i % 15625);
  const badCases: Array<[string, 'GET' | 'POST', string, unknown, number, string]> = [
    ['index out of range', 'GET', '/v1/benchmarks/nb201/archs/15625', null, 404, 'key'],
    ['malformed arch string', 'GET', `/v1/benchmarks/nb201/archs/${encodeURIComponent('|conv~0|+|x|')}`, null, 400, 'key'],
    ['op code digit > 4', 'GET', '/v1/benchmarks/nb201/archs/333135', null, 400, 'key'],
    ['unknown dataset', 'GET', '/v1/benchmarks/nb201/archs/1?dataset=mnist', null, 400, 'dataset'],
    ['bad epochs', 'GET', '/v1/benchmarks/nb201/archs/1?epochs=50', null, 400, 'epochs'],
    ['unknown query param', 'GET', '/v1/benchmarks/nb201/archs/1?foo=1', null, 400, 'foo'],
    ['pareto unknown device', 'GET', '/v1/benchmarks/nb201/pareto?cost=latency&device=toaster', null, 400, 'device'],
    ['pareto latency without device', 'GET', '/v1/benchmarks/nb201/pareto?cost=latency', null, 400, 'device'],
    ['pareto unknown cost', 'GET', '/v1/benchmarks/nb201/pareto?cost=energy', null, 400, 'cost'],
    ['pareto split not in tables', 'GET', '/v1/benchmarks/nb201/pareto?dataset=cifar10&split=valid', null, 400, 'split'],
    ['query too many keys', 'POST', '/v1/benchmarks/nb201/query', { keys: tooMany }, 400, 'keys'],
    ['query bad key', 'POST', '/v1/benchmarks/nb201/query', { keys: [1, 'nope'] }, 400, 'keys[1]'],
    ['query key of wrong type', 'POST', '/v1/benchmarks/nb201/query', { keys: [{}] }, 400, 'keys[0]'],
    ['query unknown device', 'POST', '/v1/benchmarks/nb201/query', { device: 'toaster' }, 400, 'device'],
    ['query latency filter without device', 'POST', '/v1/benchmarks/nb201/query', { maxLatencyMs: 3 }, 400, 'device'],
    ['query negative maxFlops', 'POST', '/v1/benchmarks/nb201/query', { maxFlops: -1 }, 400, 'maxFlops'],
    ['query unknown sort key', 'POST', '/v1/benchmarks/nb201/query', { sortBy: 'beauty' }, 400, 'sortBy'],
    ['query unknown property', 'POST', '/v1/benchmarks/nb201/query', { dataset: 'cifar10', extra: 1 }, 400, 'extra'],
    ['correlation duplicate arch', 'POST', '/v1/benchmarks/nb201/correlation', { pairs: [{ arch: 5, score: 1 }, { arch: '5', score: 2 }] }, 400, 'pairs[1].arch'],
    ['correlation duplicate by arch string', 'POST', '/v1/benchmarks/nb201/correlation', { pairs: [{ arch: 6111, score: 1 }, { arch: BEST, score: 2 }] }, 400, 'pairs[1].arch'],
    ['correlation non-finite score', 'POST', '/v1/benchmarks/nb201/correlation', { pairs: [{ arch: 1, score: 1 }, { arch: 2, score: null }] }, 400, 'pairs[1].score'],
    ['correlation score as string', 'POST', '/v1/benchmarks/nb201/correlation', { pairs: [{ arch: 1, score: 1 }, { arch: 2, score: 'NaN' }] }, 400, 'pairs[1].score'],
    ['correlation missing arch', 'POST', '/v1/benchmarks/nb201/correlation', { pairs: [{ arch: 1, score: 1 }, { score: 2 }] }, 400, 'pairs[1].arch'],
    ['correlation extra property', 'POST', '/v1/benchmarks/nb201/correlation', { pairs: [{ arch: 1, score: 1, x: 1 }, { arch: 2, score: 2 }] }, 400, 'pairs[0].x'],
    ['correlation one pair', 'POST', '/v1/benchmarks/nb201/correlation', { pairs: [{ arch: 1, score: 1 }] }, 400, 'pairs'],
    ['correlation k > n', 'POST', '/v1/benchmarks/nb201/correlation', { pairs: [{ arch: 1, score: 1 }, { arch: 2, score: 2 }], topK: [3] }, 400, 'topK[0]'],
    ['correlation unknown dataset', 'POST', '/v1/benchmarks/nb201/correlation', { pairs: [{ arch: 1, score: 1 }, { arch: 2, score: 2 }], dataset: 'mnist' }, 400, 'dataset'],
    ['correlation missing ground-truth split', 'POST', '/v1/benchmarks/nb201/correlation', { pairs: [{ arch: 1, score: 1 }, { arch: 2, score: 2 }], dataset: 'cifar10-valid', split: 'test' }, 400, 'split'],
    ['malformed JSON', 'POST', '/v1/benchmarks/nb201/correlation', '{"pairs": [', 400, ''],
  ];
  for (const [name, method, url, body, status, field] of badCases) {
    test(`bad input -> ${status}: ${name}`, async () => {
      const res = method === 'GET' ? await api.get<Problem>(url) : await api.post<Problem>(url, body);
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.match(res.type, /application\/problem\+json/);
      if (field) assert.ok(res.body.errors?.some((e) => e.field === field), `errors name ${field}: ${JSON.stringify(res.body.errors)}`);
    });
  }
});

describe('benchmarks API without the data', () => {
  let t: TestApp;
  let api: ReturnType<typeof client>;
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'empty-xyz-'));

  before(async () => {
    t = await startTestApp({ dataDir: empty }, { worker: false });
    api = client(t, (await t.createTeam()).key);
  });
  after(async () => {
    await t?.close();
    fs.rmSync(empty, { recursive: true, force: true });
  });

  test('look-ups answer 503 naming the expected directory', async () => {
    const expectedDir = path.join(empty, 'nasbench201');
    for (const [method, url, body] of [
      ['GET', '/v1/benchmarks/nb201/archs/0', null],
      ['GET', '/v1/benchmarks/nb201/pareto', null],
      ['POST', '/v1/benchmarks/nb201/query', {}],
      ['POST', '/v1/benchmarks/nb201/correlation', { pairs: [{ arch: 1, score: 1 }, { arch: 2, score: 2 }] }],
    ] as const) {
      const res = method === 'GET' ? await api.get<Problem>(url) : await api.post<Problem>(url, body);
      assert.equal(res.status, 503, url);
      assert.match(res.type, /application\/problem\+json/);
      assert.ok(res.body.detail.includes(expectedDir), res.body.detail);
    }
  });

  test('the catalog says the data is missing; the rest of the service keeps working', async () => {
    const cat = await api.get<{ benchmarks: Array<Record<string, unknown>> }>('/v1/benchmarks');
    assert.equal(cat.status, 200);
    assert.equal(cat.body.benchmarks[0].available, false);
    assert.equal(cat.body.benchmarks[0].status, 'missing');
    assert.match(String(cat.body.benchmarks[0].message), /nasbench201/);
    assert.equal((await fetch(`${t.baseUrl}/healthz`)).status, 200);
    assert.equal((await api.get('/v1/me')).status, 200);
  });
});
