import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { createNasClient, NasClient } from '../../openapi/client';
import { startTestApp, TestApp } from '../support/harness';
import { readSse, waitFor } from '../support/sse';
import { idempotencyRequestHash } from '../../src/jobs/jobs.service';

const search = (seed: number, queries = 150): { kind: string; spec: Record<string, unknown> } => ({
  kind: 'nb201-search',
  spec: { algorithm: 'evolution', dataset: 'cifar10', queries, seed },
});

describe('jobs API (real PostgreSQL, in-process worker, generated client)', () => {
  let t: TestApp;
  let a: { key: string; teamId: string };
  let b: { key: string; teamId: string };
  let client: NasClient;

  before(async () => {
    t = await startTestApp({ heartbeatMs: 200 });
    a = await t.createTeam('team-a');
    b = await t.createTeam('team-b');
    client = createNasClient(t.baseUrl, a.key);
  });
  after(async () => t?.close());

  async function finished(id: string, key = a.key): Promise<Record<string, unknown>> {
    const c = createNasClient(t.baseUrl, key);
    return waitFor(
      async () => {
        const { data } = await c.GET('/v1/jobs/{id}', { params: { path: { id } } });
        return data && ['succeeded', 'failed', 'cancelled'].includes(data.status) ? (data as unknown as Record<string, unknown>) : undefined;
      },
      60_000,
      `job ${id} to finish`,
    );
  }

  test('submit -> 202 + Location, runs to succeeded, result holds the evidence', async () => {
    const { data, response } = await client.POST('/v1/jobs', { body: search(1) });
    assert.equal(response.status, 202);
    assert.ok(data);
    assert.equal(response.headers.get('location'), `/v1/jobs/${data.id}`);
    assert.equal(data.status, 'queued');
    const job = await finished(data.id);
    assert.equal(job.status, 'succeeded', JSON.stringify(job.error));
    assert.equal(job.attempts, 1);
    assert.deepEqual(job.progress, { fraction: 1, phase: 'done', message: 'succeeded' });
    const res = await client.GET('/v1/jobs/{id}/result', { params: { path: { id: data.id } } });
    assert.equal(res.response.status, 200);
    const result = res.data?.result as Record<string, unknown>;
    assert.ok(result.bestArch, 'result names the best arch');
    assert.equal(typeof result.regret, 'number');
    assert.match(JSON.stringify(result), /lookup/i, 'a benchmark-lookup result says so');
  });

  test('SSE replays created, started, progress ... succeeded in order and resumes from Last-Event-ID', async () => {
    const { data } = await client.POST('/v1/jobs', { body: search(2, 400) });
    assert.ok(data);
    const url = `${t.baseUrl}/v1/jobs/${data.id}/events`;
    const stream = await readSse(url, { Authorization: `Bearer ${a.key}` });
    assert.equal(stream.status, 200);
    assert.match(stream.contentType, /text\/event-stream/);
    const types = stream.events.map((e) => e.event);
    assert.equal(types[0], 'created');
    assert.ok(types.indexOf('started') > 0);
    assert.ok(types.includes('progress'), `progress events expected, got ${types.join(',')}`);
    assert.equal(types[types.length - 1], 'succeeded');
    const ids = stream.events.map((e) => Number(e.id));
    assert.deepEqual([...ids].sort((x, y) => x - y), ids, 'event ids increase');
    const fractions = stream.events.filter((e) => e.event === 'progress').map((e) => e.data.fraction as number);
    assert.ok(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]), 'progress never goes back');
    const resumed = await readSse(url, { Authorization: `Bearer ${a.key}`, 'Last-Event-ID': stream.events[1].id });
    assert.deepEqual(resumed.events.map((e) => e.id), stream.events.slice(2).map((e) => e.id));
  });

  test('Last-Event-ID: edge values of the bigint range resume or end the stream; beyond it or not a number is a 400 naming the header', async () => {
    const { data } = await client.POST('/v1/jobs', { body: search(21) });
    assert.ok(data);
    await finished(data.id);
    const url = `${t.baseUrl}/v1/jobs/${data.id}/events`;
    const all = await readSse(url, { Authorization: `Bearer ${a.key}` });
    assert.equal(all.status, 200);
    const ok: Array<[string, number]> = [
      ['0', all.events.length],
      ['', all.events.length],
      ['00', all.events.length],
      [all.events[0].id, all.events.length - 1],
      ['9223372036854775807', 0], // the largest bigint: nothing after it, the stream of a finished job ends
    ];
    for (const [value, n] of ok) {
      const r = await readSse(url, { Authorization: `Bearer ${a.key}`, 'Last-Event-ID': value }, 10_000);
      assert.equal(r.status, 200, `Last-Event-ID ${JSON.stringify(value)}`);
      assert.equal(r.events.length, n, `Last-Event-ID ${JSON.stringify(value)}`);
    }
    for (const value of ['9223372036854775808', '99999999999999999999999', '-1', '1.5', 'abc', '1e3']) {
      const r: request.Response = await request(t.baseUrl).get(`/v1/jobs/${data.id}/events`).set('Authorization', `Bearer ${a.key}`).set('Last-Event-ID', value);
      assert.equal(r.status, 400, `Last-Event-ID ${value}: ${r.status} ${r.text.slice(0, 200)}`);
      assert.match(r.headers['content-type'] ?? '', /application\/problem\+json/);
      assert.equal(r.body.errors?.[0]?.field, 'Last-Event-ID', value);
    }
  });

  test('Idempotency-Key: a retry with the same spec in another field order (at any depth) is a replay, not a 422', async () => {
    const key = `idem-order-${Date.now()}`;
    const send = (raw: string): request.Test =>
      request(t.baseUrl).post('/v1/jobs').set('Authorization', `Bearer ${a.key}`).set('Idempotency-Key', key).set('Content-Type', 'application/json').send(raw);
    const first = await send('{"kind":"nb201-search","spec":{"algorithm":"evolution","dataset":"cifar10","queries":40,"seed":31}}');
    assert.equal(first.status, 202, first.text);
    const reordered = await send('{"spec":{"seed":31,"queries":40,"dataset":"cifar10","algorithm":"evolution"},"kind":"nb201-search"}');
    assert.equal(reordered.status, 200, reordered.text);
    assert.equal(reordered.body.id, first.body.id);
    const changed = await send('{"spec":{"seed":32,"queries":40,"dataset":"cifar10","algorithm":"evolution"},"kind":"nb201-search"}');
    assert.equal(changed.status, 422, 'a different value is still a different request');
    // nested objects and arrays: keys sorted at every depth, array order kept
    assert.equal(idempotencyRequestHash('k', { a: { x: 1, y: [1, { p: 1, q: 2 }] }, b: 2 }), idempotencyRequestHash('k', { b: 2, a: { y: [1, { q: 2, p: 1 }], x: 1 } }));
    assert.notEqual(idempotencyRequestHash('k', { a: [1, 2] }), idempotencyRequestHash('k', { a: [2, 1] }));
  });

  test('list filters by status and kind, paginates with a cursor', async () => {
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const { data, response } = await client.GET('/v1/jobs', { params: { query: { limit: 1, kind: 'nb201-search', ...(cursor ? { cursor } : {}) } } });
      assert.equal(response.status, 200);
      assert.ok(data);
      assert.ok(data.items.length <= 1);
      all.push(...data.items.map((j) => j.id));
      cursor = data.nextCursor ?? undefined;
    } while (cursor);
    assert.ok(all.length >= 2);
    assert.equal(new Set(all).size, all.length, 'no job twice across pages');
    const succeeded = await client.GET('/v1/jobs', { params: { query: { status: 'succeeded' } } });
    assert.ok(succeeded.data?.items.every((j) => j.status === 'succeeded'));
    const none = await client.GET('/v1/jobs', { params: { query: { status: 'failed' } } });
    assert.equal(none.data?.items.length, 0);
  });

  test('a team never sees or touches another team\'s job (404)', async () => {
    const { data } = await client.POST('/v1/jobs', { body: search(3) });
    assert.ok(data);
    const other = createNasClient(t.baseUrl, b.key);
    assert.equal((await other.GET('/v1/jobs/{id}', { params: { path: { id: data.id } } })).response.status, 404);
    assert.equal((await other.GET('/v1/jobs/{id}/result', { params: { path: { id: data.id } } })).response.status, 404);
    assert.equal((await other.POST('/v1/jobs/{id}/cancel', { params: { path: { id: data.id } } })).response.status, 404);
    const sse = await readSse(`${t.baseUrl}/v1/jobs/${data.id}/events`, { Authorization: `Bearer ${b.key}` });
    assert.equal(sse.status, 404);
    const list = await other.GET('/v1/jobs', {});
    assert.ok(!list.data?.items.some((j) => j.id === data.id));
    await finished(data.id);
  });

  test('Idempotency-Key: a repeat returns the same job, a different body is refused, concurrent repeats create one job', async () => {
    const key = `idem-${Date.now()}`;
    const first = await client.POST('/v1/jobs', { body: search(4), params: { header: { 'Idempotency-Key': key } } });
    const again = await client.POST('/v1/jobs', { body: search(4), params: { header: { 'Idempotency-Key': key } } });
    assert.equal(first.response.status, 202);
    assert.equal(again.response.status, 200);
    assert.equal(again.response.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.data?.id, first.data?.id);
    const changed = await request(t.baseUrl).post('/v1/jobs').set('Authorization', `Bearer ${a.key}`).set('Idempotency-Key', key).send(search(5));
    assert.equal(changed.status, 422);
    assert.equal(changed.body.errors[0].field, 'Idempotency-Key');
    const key2 = `idem-race-${Date.now()}`;
    const race = await Promise.all(
      Array.from({ length: 6 }, () => request(t.baseUrl).post('/v1/jobs').set('Authorization', `Bearer ${a.key}`).set('Idempotency-Key', key2).send(search(6))),
    );
    assert.equal(new Set(race.map((r) => r.body.id)).size, 1, 'one job for concurrent requests with one key');
    assert.deepEqual(race.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 202]);
    // another team may use the same key for its own job
    const other = await request(t.baseUrl).post('/v1/jobs').set('Authorization', `Bearer ${b.key}`).set('Idempotency-Key', key).send(search(4));
    assert.equal(other.status, 202);
    assert.notEqual(other.body.id, first.data?.id);
  });

  test('bad input gets a 4xx problem naming the field and rule; the server keeps serving', async () => {
    const cases: Array<{ name: string; method: 'post' | 'get'; path: string; body?: unknown; raw?: string; auth?: string | null; status: number; field?: string }> = [
      { name: 'no api key', method: 'get', path: '/v1/jobs', auth: null, status: 401 },
      { name: 'wrong api key', method: 'get', path: '/v1/jobs', auth: 'nas_wrong', status: 401 },
      { name: 'malformed JSON', method: 'post', path: '/v1/jobs', raw: '{"kind": "nb201-search", "spec": {', status: 400 },
      { name: 'missing kind', method: 'post', path: '/v1/jobs', body: { spec: {} }, status: 400, field: 'kind' },
      { name: 'kind wrong type', method: 'post', path: '/v1/jobs', body: { kind: 7, spec: {} }, status: 400, field: 'kind' },
      { name: 'unknown kind', method: 'post', path: '/v1/jobs', body: { kind: 'no-such-kind', spec: {} }, status: 400, field: 'kind' },
      { name: 'spec not an object', method: 'post', path: '/v1/jobs', body: { kind: 'nb201-search', spec: 'x' }, status: 400, field: 'spec' },
      { name: 'unknown top-level property', method: 'post', path: '/v1/jobs', body: { ...search(1), extra: 1 }, status: 400, field: 'extra' },
      { name: 'budget below range', method: 'post', path: '/v1/jobs', body: { kind: 'nb201-search', spec: { ...search(1).spec, queries: 0 } }, status: 400, field: 'spec.queries' },
      { name: 'budget above range', method: 'post', path: '/v1/jobs', body: { kind: 'nb201-search', spec: { ...search(1).spec, queries: 1e9 } }, status: 400, field: 'spec.queries' },
      { name: 'budget wrong type', method: 'post', path: '/v1/jobs', body: { kind: 'nb201-search', spec: { ...search(1).spec, queries: '100' } }, status: 400, field: 'spec.queries' },
      { name: 'unknown algorithm', method: 'post', path: '/v1/jobs', body: { kind: 'nb201-search', spec: { ...search(1).spec, algorithm: 'magic' } }, status: 400, field: 'spec.algorithm' },
      { name: 'unknown spec property', method: 'post', path: '/v1/jobs', body: { kind: 'nb201-search', spec: { ...search(1).spec, foo: 1 } }, status: 400, field: 'spec.foo' },
      { name: 'bad idempotency key', method: 'post', path: '/v1/jobs', body: search(1), status: 400, field: 'Idempotency-Key' },
      { name: 'job id not a uuid', method: 'get', path: '/v1/jobs/not-a-uuid', status: 400, field: 'id' },
      { name: 'unknown job', method: 'get', path: '/v1/jobs/00000000-0000-4000-8000-000000000000', status: 404 },
      { name: 'bad status filter', method: 'get', path: '/v1/jobs?status=done', status: 400, field: 'status' },
      { name: 'limit out of range', method: 'get', path: '/v1/jobs?limit=1000', status: 400, field: 'limit' },
      { name: 'forged cursor', method: 'get', path: '/v1/jobs?cursor=abc', status: 400, field: 'cursor' },
    ];
    const before = (await client.GET('/v1/jobs', { params: { query: { limit: 100 } } })).data?.items.length;
    for (const c of cases) {
      let r = request(t.baseUrl)[c.method](c.path);
      if (c.auth !== null) r = r.set('Authorization', `Bearer ${c.auth ?? a.key}`);
      if (c.name === 'bad idempotency key') r = r.set('Idempotency-Key', 'has space');
      const res = c.raw !== undefined ? await r.set('Content-Type', 'application/json').send(c.raw) : c.body !== undefined ? await r.send(c.body as object) : await r;
      assert.equal(res.status, c.status, `${c.name}: ${res.status} ${JSON.stringify(res.body)}`);
      assert.match(res.headers['content-type'] ?? '', /application\/problem\+json/, c.name);
      assert.equal(res.body.status, c.status, c.name);
      assert.ok(res.body.title && res.body.detail && res.body.type, `${c.name}: problem has type/title/detail`);
      if (c.field) {
        const fields = (res.body.errors ?? []).map((e: { field: string; rule: string }) => {
          assert.ok(e.rule, `${c.name}: each error names its rule`);
          return e.field;
        });
        assert.ok(fields.includes(c.field), `${c.name}: expected field ${c.field} in ${JSON.stringify(res.body)}`);
      }
    }
    const afterCount = (await client.GET('/v1/jobs', { params: { query: { limit: 100 } } })).data?.items.length;
    assert.equal(afterCount, before, 'no bad request created a job');
    assert.equal((await request(t.baseUrl).get('/healthz')).status, 200);
  });
});

describe('cancellation', () => {
  let t: TestApp;
  let a: { key: string; teamId: string };
  before(async () => {
    t = await startTestApp({ heartbeatMs: 200 }, { worker: false });
    a = await t.createTeam('cancel-team');
  });
  after(async () => t?.close());

  test('a queued job is cancelled at once and has no result', async () => {
    const client = createNasClient(t.baseUrl, a.key);
    const { data } = await client.POST('/v1/jobs', { body: search(7) });
    assert.ok(data);
    const c = await client.POST('/v1/jobs/{id}/cancel', { params: { path: { id: data.id } } });
    assert.equal(c.response.status, 202);
    assert.equal(c.data?.status, 'cancelled');
    const r = await client.GET('/v1/jobs/{id}/result', { params: { path: { id: data.id } } });
    assert.equal(r.response.status, 409);
    const again = await client.POST('/v1/jobs/{id}/cancel', { params: { path: { id: data.id } } });
    assert.equal(again.data?.status, 'cancelled', 'cancelling twice is harmless');
  });
});
