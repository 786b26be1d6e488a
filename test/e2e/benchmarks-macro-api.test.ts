import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createNasClient, NasClient } from '../../openapi/client';
import { loadMacroTable } from '../../src/benchmarks/macro/load';
import { paretoFront } from '../../src/benchmarks/nb201/pareto';
import { kendallTauB, spearmanRho } from '../../src/benchmarks/stats/correlation';
import { loadConfig } from '../../src/config/config';
import { startTestApp, TestApp } from '../support/harness';

describe('benchmarks API: NAS-Bench-Macro', () => {
  let t: TestApp;
  let key: string;
  let client: NasClient;
  const table = loadMacroTable(loadConfig().dataDir); // the same data, read in-process as the reference

  before(async () => {
    t = await startTestApp({}, { worker: false });
    key = (await t.createTeam()).key;
    client = createNasClient(t.baseUrl, key);
  });
  after(async () => {
    await t?.close();
  });

  const http = () => request(t.baseUrl);
  const auth = () => ({ authorization: `Bearer ${key}` });

  test('routes need an API key', async () => {
    assert.equal((await http().get('/v1/benchmarks/macro/archs/00000000')).status, 401);
  });

  test('GET archs/{key}: the full record, its layers and its equivalent keys', async () => {
    const { data, response } = await client.GET('/v1/benchmarks/macro/archs/{key}', { params: { path: { key: '22212202' } } });
    assert.equal(response.status, 200);
    assert.ok(data);
    assert.equal(data.key, '22212202');
    assert.equal(data.index, parseInt('22212202', 3));
    assert.deepEqual(data.ops, ['MB6_K5', 'MB6_K5', 'MB6_K5', 'MB3_K3', 'MB6_K5', 'MB6_K5', 'identity', 'MB6_K5']);
    assert.equal(data.canonicalKey, '22212220');
    assert.deepEqual(data.equivalentKeys, ['22212202', '22212220']);
    const i = table.indexOfKey('22212202');
    assert.deepEqual(data.testAccuracies, table.testAccuracies(i));
    assert.equal(data.meanAccuracy, table.meanAccuracy(i));
    assert.equal(data.std, table.std(i));
    assert.equal(data.params, table.params(i));
    assert.equal(data.flops, table.flops(i));
    assert.deepEqual(data.groundTruth, { dataset: 'cifar10', split: 'test', epochs: 50 });
    assert.deepEqual(data.layers.map((l) => l.stride), [2, 1, 2, 1, 1, 2, 1, 1]);
    assert.deepEqual(data.layers.map((l) => l.noOp), [false, false, false, false, false, false, true, false]);
    assert.match(data.source, /look-up, no training run/);
    // the published example record
    const ex = await client.GET('/v1/benchmarks/macro/archs/{key}', { params: { path: { key: '02012100' } } });
    assert.equal(ex.data?.params, 890666);
    assert.equal(ex.data?.flops, 47327744);
    assert.deepEqual(ex.data?.testAccuracies, [Math.fround(89.47), Math.fround(88.95), Math.fround(89.17)]);
  });

  test('GET /v1/benchmarks lists the macro benchmark with 6,561 keys and 3,969 networks', async () => {
    await client.GET('/v1/benchmarks/macro/archs/{key}', { params: { path: { key: '00000000' } } }); // waits for the load
    const { data } = await client.GET('/v1/benchmarks');
    const m = data?.benchmarks.find((b) => b.name === 'macro');
    assert.ok(m);
    assert.equal(m.available, true);
    assert.equal(m.status, 'ready');
    assert.equal(m.size, 6561);
    assert.equal(m.isoClassCount, 3969);
    assert.deepEqual(m.costMetrics, ['flops', 'params']);
    assert.deepEqual(m.metrics, [{ dataset: 'cifar10', split: 'test', epochs: 50 }]);
    assert.equal(m.dataDir, path.join(t.config.dataDir, 'nasbench_macro'));
    assert.equal(data?.benchmarks[0].name, 'nb201');
  });

  test('POST query: cost filters, sort, limit, distinct networks', async () => {
    const { data, response } = await client.POST('/v1/benchmarks/macro/query', {
      body: { maxFlops: 30e6, maxParams: 1e6, sortBy: 'accuracy', limit: 10 },
    });
    assert.equal(response.status, 200);
    assert.ok(data);
    let expected = 0;
    const nets = new Set<number>();
    for (let i = 0; i < table.size; i++) {
      if (table.flops(i) <= 30e6 && table.params(i) <= 1e6) {
        expected++;
        nets.add(table.network(i));
      }
    }
    assert.equal(data.requested, 6561);
    assert.equal(data.matched, expected);
    assert.equal(data.matchedNetworks, nets.size);
    assert.equal(data.results.length, 10);
    for (let k = 1; k < 10; k++) assert.ok(data.results[k].accuracy <= data.results[k - 1].accuracy);
    for (const r of data.results) {
      const i = table.indexOfKey(r.key);
      assert.ok(r.flops <= 30e6 && r.params <= 1e6);
      assert.equal(r.accuracy, table.meanAccuracy(i));
    }
    const d = await client.POST('/v1/benchmarks/macro/query', { body: { maxFlops: 30e6, maxParams: 1e6, distinct: true } });
    assert.equal(d.data?.requested, 3969);
    assert.equal(d.data?.matched, nets.size);
    for (const r of d.data!.results) assert.equal(r.key, r.canonicalKey);
    const byKeys = await client.POST('/v1/benchmarks/macro/query', { body: { keys: ['22212220', '00000000', '22212202'], sortBy: 'flops' } });
    assert.deepEqual(byKeys.data?.results.map((r) => r.key), ['00000000', '22212202', '22212220']);
    assert.equal(byKeys.data?.matchedNetworks, 2);
  });

  test('GET pareto: exact front over networks for FLOPs and params', async () => {
    for (const cost of ['flops', 'params'] as const) {
      const { data, response } = await client.GET('/v1/benchmarks/macro/pareto', { params: { query: { cost } } });
      assert.equal(response.status, 200);
      const col = cost === 'flops' ? table.flopsColumn() : table.paramsColumn();
      const expected = paretoFront(col, table.meanAccuracyColumn(), table.representativeIndices()).map((i) => table.keyOf(i));
      assert.deepEqual(data?.front.map((p) => p.key), expected);
      assert.equal(data?.candidateKeys, 6561);
      assert.equal(data?.candidateNetworks, 3969);
      assert.equal(data?.costUnit, cost === 'flops' ? 'multiply-adds' : 'params');
      const best = data!.front[data!.front.length - 1];
      assert.equal(best.key, '22212220');
      assert.deepEqual(best.equivalentKeys, ['22212202', '22212220']);
    }
  });

  test('POST correlation: FLOPs as the score, over keys and over networks', async () => {
    const pairs = Array.from({ length: table.size }, (_, i) => ({ arch: table.keyOf(i), score: table.flops(i) }));
    const { data, response } = await client.POST('/v1/benchmarks/macro/correlation', { body: { pairs, topK: [10] } });
    assert.equal(response.status, 200);
    assert.ok(data);
    assert.equal(data.groupBy, 'key');
    assert.equal(data.n, 6561);
    assert.equal(data.keys, 6561);
    assert.equal(data.networks, 3969);
    const flops = table.flopsColumn();
    const acc = table.meanAccuracyColumn();
    assert.equal(data.kendallTau, kendallTauB(flops, acc));
    assert.equal(data.spearmanRho, spearmanRho(flops, acc));
    assert.ok(data.kendallTau! > 0.3 && data.kendallTau! < 0.9, String(data.kendallTau));
    const reps = Array.from(table.representativeIndices());
    const byNet = await client.POST('/v1/benchmarks/macro/correlation', { body: { pairs, groupBy: 'network' } });
    assert.equal(byNet.data?.n, 3969);
    assert.equal(
      byNet.data?.kendallTau,
      kendallTauB(
        reps.map((i) => flops[i]),
        reps.map((i) => acc[i]),
      ),
    );
    assert.notEqual(byNet.data?.kendallTau, data.kendallTau);
    // the truth itself as the score: tau 1
    const self = await client.POST('/v1/benchmarks/macro/correlation', { body: { pairs: reps.slice(0, 50).map((i) => ({ arch: table.keyOf(i), score: acc[i] })) } });
    assert.equal(self.data?.kendallTau, 1);
  });

  const badCases: Array<[string, 'GET' | 'POST', string, unknown, string]> = [
    ['key with digit 3', 'GET', '/v1/benchmarks/macro/archs/00000003', null, 'key'],
    ['key too short', 'GET', '/v1/benchmarks/macro/archs/0000000', null, 'key'],
    ['pareto unknown cost', 'GET', '/v1/benchmarks/macro/pareto?cost=latency', null, 'cost'],
    ['query bad key', 'POST', '/v1/benchmarks/macro/query', { keys: ['00000000', '1234'] }, 'keys[1]'],
    ['query numeric key (8 digits: would lose leading zeros)', 'POST', '/v1/benchmarks/macro/query', { keys: [12012012] }, 'keys[0]'],
    ['query negative maxFlops', 'POST', '/v1/benchmarks/macro/query', { maxFlops: -1 }, 'maxFlops'],
    ['query maxParams as string', 'POST', '/v1/benchmarks/macro/query', { maxParams: '1e6' }, 'maxParams'],
    ['query unknown sort key', 'POST', '/v1/benchmarks/macro/query', { sortBy: 'latency' }, 'sortBy'],
    ['query limit 0', 'POST', '/v1/benchmarks/macro/query', { limit: 0 }, 'limit'],
    ['query distinct not boolean', 'POST', '/v1/benchmarks/macro/query', { distinct: 'yes' }, 'distinct'],
    ['query unknown property', 'POST', '/v1/benchmarks/macro/query', { dataset: 'cifar10' }, 'dataset'],
    ['correlation duplicate key', 'POST', '/v1/benchmarks/macro/correlation', { pairs: [{ arch: '00000000', score: 1 }, { arch: '00000000', score: 2 }] }, 'pairs[1].arch'],
    ['correlation bad key', 'POST', '/v1/benchmarks/macro/correlation', { pairs: [{ arch: '00000000', score: 1 }, { arch: 'abc', score: 2 }] }, 'pairs[1].arch'],
    ['correlation score null', 'POST', '/v1/benchmarks/macro/correlation', { pairs: [{ arch: '00000000', score: 1 }, { arch: '00000001', score: null }] }, 'pairs[1].score'],
    ['correlation one pair', 'POST', '/v1/benchmarks/macro/correlation', { pairs: [{ arch: '00000000', score: 1 }] }, 'pairs'],
    ['correlation unknown groupBy', 'POST', '/v1/benchmarks/macro/correlation', { pairs: [{ arch: '00000000', score: 1 }, { arch: '00000001', score: 2 }], groupBy: 'cell' }, 'groupBy'],
    // 01000000 and 00100000 differ in the stride-2 layer 2: two networks; 00010000 and 00001000 are one network
    ['correlation by network with one network', 'POST', '/v1/benchmarks/macro/correlation', { pairs: [{ arch: '00010000', score: 1 }, { arch: '00001000', score: 2 }], groupBy: 'network' }, 'pairs'],
    ['correlation k > n', 'POST', '/v1/benchmarks/macro/correlation', { pairs: [{ arch: '00000000', score: 1 }, { arch: '00000001', score: 2 }], topK: [3] }, 'topK[0]'],
  ];
  for (const [name, method, url, body, field] of badCases) {
    test(`bad input -> 400: ${name}`, async () => {
      const res = method === 'GET' ? await http().get(url).set(auth()) : await http().post(url).set(auth()).send(body as object);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.match(res.headers['content-type'] ?? '', /application\/problem\+json/);
      const errors = (res.body as { errors?: Array<{ field: string }> }).errors ?? [];
      assert.ok(errors.some((e) => e.field === field), `errors name ${field}: ${JSON.stringify(errors)}`);
    });
  }
});

describe('benchmarks API: NAS-Bench-Macro without the data', () => {
  let t: TestApp;
  let client: NasClient;
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'empty-macro-'));

  before(async () => {
    t = await startTestApp({ dataDir: empty }, { worker: false });
    client = createNasClient(t.baseUrl, (await t.createTeam()).key);
  });
  after(async () => {
    await t?.close();
    fs.rmSync(empty, { recursive: true, force: true });
  });

  test('look-ups answer 503 naming the expected directory; the catalog says missing', async () => {
    const dir = path.join(empty, 'nasbench_macro');
    const r1 = await client.GET('/v1/benchmarks/macro/archs/{key}', { params: { path: { key: '00000000' } } });
    const r2 = await client.GET('/v1/benchmarks/macro/pareto', {});
    const r3 = await client.POST('/v1/benchmarks/macro/query', { body: {} });
    const r4 = await client.POST('/v1/benchmarks/macro/correlation', { body: { pairs: [{ arch: '00000000', score: 1 }, { arch: '00000001', score: 2 }] } });
    for (const r of [r1, r2, r3, r4]) {
      assert.equal(r.response.status, 503);
      assert.ok(JSON.stringify(r.error).includes(dir), JSON.stringify(r.error));
    }
    const cat = await client.GET('/v1/benchmarks');
    const m = cat.data?.benchmarks.find((b) => b.name === 'macro');
    assert.equal(m?.available, false);
    assert.equal(m?.status, 'missing');
    assert.match(String(m?.message), /nasbench_macro/);
  });
});
