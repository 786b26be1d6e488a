// A transient database failure answers 503 with Retry-After (a problem document), never 500: first through a TCP
// proxy in front of PostgreSQL that drops every connection (deterministic), then in a pg_terminate_backend storm
// during concurrent submissions. A retried submission with the same Idempotency-Key creates exactly one job.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Client } from 'pg';
import request from 'supertest';
import { ProblemFilter } from '../../src/common/problem.filter';
import { baseDatabaseUrl, createTestDatabase, startTestApp, TestApp } from '../support/harness';

const search = (seed: number): { kind: string; spec: Record<string, unknown> } => ({ kind: 'nb201-search', spec: { algorithm: 'random', dataset: 'cifar10', queries: 20, seed } });

/** A TCP proxy to PostgreSQL that can drop all its connections and refuse new ones (a database lost for a moment). */
class CuttableProxy {
  private readonly sockets = new Set<net.Socket>();
  private cut = false;
  readonly server: net.Server;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => {
      if (this.cut) {
        client.destroy();
        return;
      }
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return (this.server.address() as net.AddressInfo).port;
  }

  down(): void {
    this.cut = true;
    for (const s of this.sockets) s.destroy();
  }

  up(): void {
    this.cut = false;
  }

  close(): Promise<void> {
    this.down();
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe('transient database failure -> 503 with Retry-After', () => {
  let db: { url: string; drop(): Promise<void> };
  let proxy: CuttableProxy;
  let t: TestApp;
  let key: string;

  before(async () => {
    db = await createTestDatabase();
    const u = new URL(db.url);
    proxy = new CuttableProxy({ host: u.hostname, port: Number(u.port || 5432) });
    const port = await proxy.listen();
    const viaProxy = new URL(db.url);
    viaProxy.port = String(port);
    t = await startTestApp({}, { worker: false, dbUrl: viaProxy.toString() });
    key = (await t.createTeam('outage')).key;
  });
  after(async () => {
    proxy?.up();
    await t?.close();
    await proxy?.close();
    await db?.drop();
  });

  test('every connection dropped: the submission gets 503 + Retry-After; the retry with its Idempotency-Key creates one job', async () => {
    const post = (idem: string): request.Test => request(t.baseUrl).post('/v1/jobs').set('Authorization', `Bearer ${key}`).set('Idempotency-Key', idem).send(search(1));
    assert.equal((await post('warm-up')).status, 202); // the key is now in the auth cache
    proxy.down();
    const lost = await post('outage-1');
    assert.equal(lost.status, 503, `${lost.status} ${lost.text}`);
    assert.match(lost.headers['content-type'] ?? '', /application\/problem\+json/);
    assert.ok(Number(lost.headers['retry-after']) >= 1, `Retry-After ${lost.headers['retry-after']}`);
    assert.equal(lost.body.status, 503);
    assert.equal(lost.body.type, 'urn:nas:problem:unavailable');
    assert.match(lost.body.detail, /retry/);
    proxy.up();
    const retried = await post('outage-1');
    assert.equal(retried.status, 202, retried.text);
    const again = await post('outage-1');
    assert.equal(again.status, 200);
    assert.equal(again.body.id, retried.body.id);
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    const rows = (await admin.query(`SELECT count(*)::int AS n FROM jobs WHERE idempotency_key = 'outage-1'`)).rows as Array<{ n: number }>;
    await admin.end();
    assert.equal(rows[0].n, 1);
  });

  test('pg_terminate_backend storm during 40 concurrent submissions: every answer is 202 or 503 (with Retry-After), never 500', async () => {
    // record what any 500 was (the app runs in this process), so a failure names the unmapped error
    const unmapped: string[] = [];
    const toProblem = ProblemFilter.prototype.toProblem;
    ProblemFilter.prototype.toProblem = function (this: ProblemFilter, e: unknown, instance: string) {
      const p = toProblem.call(this, e, instance);
      if (p.status === 500) unmapped.push(e instanceof Error ? `${e.name}: ${e.message} ${JSON.stringify(e)}` : String(e));
      return p;
    };
    assert.equal((await request(t.baseUrl).get('/v1/me').set('Authorization', `Bearer ${key}`)).status, 200); // key in the auth cache
    const admin = new Client({ connectionString: baseDatabaseUrl() });
    await admin.connect();
    const dbName = new URL(db.url).pathname.slice(1);
    let storming = true;
    let killed = 0;
    const storm = (async () => {
      while (storming) {
        const r = await admin.query(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [dbName]);
        killed += (r.rows[0] as { n: number }).n;
        await new Promise((res) => setTimeout(res, 40));
      }
    })();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => request(t.baseUrl).post('/v1/jobs').set('Authorization', `Bearer ${key}`).set('Idempotency-Key', `storm-${i}`).send(search(100 + i))),
    );
    storming = false;
    await storm;
    await admin.end();
    ProblemFilter.prototype.toProblem = toProblem;
    const statuses = answers.map((a) => a.status);
    assert.ok(killed > 0, 'the storm killed connections');
    assert.deepEqual(statuses.filter((s) => s !== 202 && s !== 503), [], `statuses ${statuses.join(',')}; 500s from ${unmapped.join(' | ')}`);
    for (const a of answers.filter((x) => x.status === 503)) assert.ok(Number(a.headers['retry-after']) >= 1);
    process.stdout.write(`# storm: killed ${killed} backends; ${statuses.filter((s) => s === 503).length} of 40 submissions got 503\n`);
    // once the storm is over, a client that retries each 503 (after Retry-After, shortened here) with the same
    // Idempotency-Key ends with exactly one job per key
    const retried: request.Response[] = [];
    for (let i = 0; i < 40; i++) {
      let r: request.Response;
      let tries = 0;
      do {
        if (tries++) await new Promise((res) => setTimeout(res, 200));
        r = await request(t.baseUrl).post('/v1/jobs').set('Authorization', `Bearer ${key}`).set('Idempotency-Key', `storm-${i}`).send(search(100 + i));
      } while (r.status === 503 && tries < 20);
      retried.push(r);
    }
    assert.ok(retried.every((r) => r.status === 202 || r.status === 200), retried.map((r) => r.status).join(','));
    for (let i = 0; i < 40; i++) if (answers[i].status === 202) assert.equal(retried[i].body.id, answers[i].body.id);
    const check = new Client({ connectionString: db.url });
    await check.connect();
    const rows = (await check.query(`SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS k FROM jobs WHERE idempotency_key LIKE 'storm-%'`)).rows as Array<{ n: number; k: number }>;
    await check.end();
    assert.deepEqual(rows[0], { n: 40, k: 40 });
  });
});
