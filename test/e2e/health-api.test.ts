import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createTestDatabase, startTestApp, TestApp } from '../support/harness';

async function sql(url: string, text: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as Array<Record<string, unknown>>;
  } finally {
    await c.end();
  }
}

/** Value of one sample line `name{labels} value` in a Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').split(',');
    if (want.every((w) => have.includes(w))) return Number(m[3]);
  }
  return undefined;
}

describe('health API', () => {
  let t: TestApp;
  let key: string;

  before(async () => {
    t = await startTestApp({}, { worker: false });
    key = (await t.createTeam()).key;
  });
  after(async () => {
    await t?.close();
  });

  test('GET /healthz is 200 {status:"ok"} without an API key', async () => {
    const res = await fetch(`${t.baseUrl}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  test('an idle keep-alive connection stays usable for 65 s (not Node\'s 5 s) and the server says so', async () => {
    const server = t.app.getHttpServer() as import('node:http').Server;
    assert.equal(server.keepAliveTimeout, 65_000);
    assert.ok(server.headersTimeout > server.keepAliveTimeout, 'headers timeout above the keep-alive timeout');
    const res = await fetch(`${t.baseUrl}/healthz`);
    await res.arrayBuffer();
    assert.match(res.headers.get('keep-alive') ?? '', /timeout=65\b/);
  });

  test('the database sessions end a transaction left idle for 30 s (a frozen worker cannot hold row locks for ever)', async () => {
    const rows: Array<{ idle_in_transaction_session_timeout: string }> = await t.app.get(DataSource).query('SHOW idle_in_transaction_session_timeout');
    assert.equal(rows[0].idle_in_transaction_session_timeout, '30s');
  });

  test('health routes are not versioned: /v1/healthz is 404', async () => {
    const res = await fetch(`${t.baseUrl}/v1/healthz`);
    assert.equal(res.status, 404);
  });

  test('a protected route is 401 without a key and 200 with one', async () => {
    const anon = await fetch(`${t.baseUrl}/v1/me`);
    assert.equal(anon.status, 401);
    assert.match(anon.headers.get('content-type') ?? '', /application\/problem\+json/);
    const authed = await fetch(`${t.baseUrl}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(authed.status, 200);
  });

  test('GET /readyz is 200 with the database and migration checks passed', async () => {
    const res = await fetch(`${t.baseUrl}/readyz`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { status: string; checks: Array<{ name: string; ok: boolean }> };
    assert.equal(body.status, 'ready');
    assert.deepEqual(
      body.checks.map((c) => [c.name, c.ok]),
      [
        ['database', true],
        ['migrations', true],
      ],
    );
  });

  test('GET /metrics has default process metrics, the request histogram by route template, and jobs by status', async () => {
    const team = await sql(t.dbUrl, `SELECT id FROM teams LIMIT 1`);
    const teamId = String(team[0].id);
    await sql(t.dbUrl, `INSERT INTO jobs (team_id, kind, status, spec) VALUES ($1, 'k', 'queued', '{}'), ($1, 'k', 'queued', '{}'), ($1, 'k', 'failed', '{}')`, [
      teamId,
    ]);
    // a parametrised, unknown URL must be labelled "unmatched", not by its raw path
    assert.equal((await fetch(`${t.baseUrl}/no/such/path-12345`)).status, 404);
    assert.equal((await fetch(`${t.baseUrl}/healthz`)).status, 200);

    const res = await fetch(`${t.baseUrl}/metrics`);
    assert.equal(res.status, 200);
    const type = res.headers.get('content-type') ?? '';
    assert.match(type, /^text\/plain;/);
    assert.match(type, /version=0\.0\.4/);
    const text = await res.text();
    assert.match(text, /^# TYPE process_cpu_user_seconds_total counter$/m);
    assert.match(text, /^# TYPE nodejs_heap_size_used_bytes gauge$/m);
    assert.match(text, /^# TYPE nas_http_request_duration_seconds histogram$/m);
    const healthz = sample(text, 'nas_http_request_duration_seconds_count', { method: 'GET', route: '/healthz', status_code: '200' });
    assert.ok(healthz !== undefined && healthz >= 2, `healthz requests counted: ${healthz}`);
    // 401s come from the API-key guard, before any interceptor: the middleware still times them
    assert.equal(sample(text, 'nas_http_request_duration_seconds_count', { method: 'GET', route: '/v1/me', status_code: '401' }), 1);
    assert.equal(sample(text, 'nas_http_request_duration_seconds_count', { method: 'GET', route: '/v1/me', status_code: '200' }), 1);
    assert.ok((sample(text, 'nas_http_request_duration_seconds_count', { route: 'unmatched', status_code: '404' }) ?? 0) >= 1);
    assert.doesNotMatch(text, /path-12345/);
    assert.ok(sample(text, 'nas_http_request_duration_seconds_bucket', { route: '/healthz', le: '+Inf' }) !== undefined);

    assert.match(text, /^# TYPE nas_jobs gauge$/m);
    assert.equal(sample(text, 'nas_jobs', { status: 'queued' }), 2);
    assert.equal(sample(text, 'nas_jobs', { status: 'failed' }), 1);
    assert.equal(sample(text, 'nas_jobs', { status: 'running' }), 0);
    assert.equal(sample(text, 'nas_jobs_query_up', {}), 1);
    assert.match(text, /^# TYPE nas_jobs_completed_total counter$/m);
  });

  test('the jobs gauge is read at scrape time', async () => {
    await sql(t.dbUrl, `UPDATE jobs SET status = 'running' WHERE status = 'queued'`);
    const text = await (await fetch(`${t.baseUrl}/metrics`)).text();
    assert.equal(sample(text, 'nas_jobs', { status: 'queued' }), 0);
    assert.equal(sample(text, 'nas_jobs', { status: 'running' }), 2);
  });

  test('GET /readyz is 503 naming the migration that is not applied', async () => {
    const removed = await sql(t.dbUrl, `DELETE FROM typeorm_migrations WHERE id = (SELECT max(id) FROM typeorm_migrations) RETURNING id, timestamp, name`);
    assert.equal(removed.length, 1);
    try {
      const res = await fetch(`${t.baseUrl}/readyz`);
      assert.equal(res.status, 503);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      const p = (await res.json()) as { status: number; detail: string; errors: Array<{ field: string; rule: string; message: string }> };
      assert.equal(p.status, 503);
      assert.match(p.detail, new RegExp(String(removed[0].name)));
      assert.deepEqual(
        p.errors.map((e) => [e.field, e.rule]),
        [['migrations', 'applied']],
      );
      // liveness does not depend on readiness
      assert.equal((await fetch(`${t.baseUrl}/healthz`)).status, 200);
    } finally {
      const r = removed[0];
      await sql(t.dbUrl, `INSERT INTO typeorm_migrations (id, timestamp, name) VALUES ($1, $2, $3)`, [r.id, r.timestamp, r.name]);
    }
    assert.equal((await fetch(`${t.baseUrl}/readyz`)).status, 200);
  });
});

describe('health API without its database', () => {
  test('GET /readyz is 503 naming the database; /healthz and /metrics still answer', async () => {
    const db = await createTestDatabase();
    const t = await startTestApp({}, { worker: false, dbUrl: db.url });
    try {
      assert.equal((await fetch(`${t.baseUrl}/readyz`)).status, 200);
      await db.drop(); // terminates the app's connections; the database no longer exists
      const res = await fetch(`${t.baseUrl}/readyz`);
      assert.equal(res.status, 503);
      const p = (await res.json()) as { detail: string; errors: Array<{ field: string; rule: string }> };
      assert.equal(p.errors[0].field, 'database');
      assert.equal(p.errors[0].rule, 'select-1');
      assert.match(p.detail, /database: the database does not answer SELECT 1/);
      assert.equal((await fetch(`${t.baseUrl}/healthz`)).status, 200);
      const metrics = await fetch(`${t.baseUrl}/metrics`);
      assert.equal(metrics.status, 200);
      assert.equal(sample(await metrics.text(), 'nas_jobs_query_up', {}), 0);
    } finally {
      await t.close();
    }
  });
});
