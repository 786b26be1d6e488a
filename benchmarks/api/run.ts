/**
 * API load benchmark (`npm run bench:api`): the HTTP API in this process, load from autocannon (in a worker thread of
 * this process, BENCH_CLIENT_WORKERS=0 for the same event loop) on 127.0.0.1 only.
 *
 *  (a) POST /v1/jobs       job submission throughput, closed loop with a bounded number of connections
 *  (b) GET  /v1/jobs/:id   latency at a fixed request rate
 *  (c) GET  /v1/jobs       list (first page) latency at a fixed request rate
 *
 * IN_PROCESS_WORKER is forced off: submitted jobs stay queued, so only the API and its database are measured.
 * The database is a scratch database created for this run on the server of DATABASE_URL, or of an embedded
 * PostgreSQL when DATABASE_URL is unset, and dropped at the end, so every run starts from an empty jobs table.
 * Every scenario is bounded in time (duration) and in count (maxOverallRequests).
 * Writes benchmarks/results/api.json (or BENCH_OUT).
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { AuthService } from '../../src/auth/auth.service';
import { createHttpApp } from '../../src/bootstrap';
import { AppConfig, loadConfig, REPO_ROOT } from '../../src/config/config';
import { runMigrations } from '../../src/database/data-source';
import { openDatabase } from '../../src/database/database';

interface Scenario {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  expectedStatus: number;
  connections: number;
  durationS: number;
  /** Fixed overall request rate (req/s); undefined = closed loop, as fast as the connections allow. */
  overallRate?: number;
  maxRequests: number;
}

interface ScenarioResult {
  name: string;
  method: string;
  path: string;
  connections: number;
  durationS: number;
  targetRatePerS: number | null;
  /** false when a fixed-rate scenario achieved under 90 % of its target rate (the machine could not keep up). */
  targetRateReached: boolean | null;
  requests: number;
  requestsPerS: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  expectedStatus: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
}

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const v = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return v;
}

const DURATION_S = envInt('BENCH_DURATION_S', 10);
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 10);
const GET_RATE = envInt('BENCH_GET_RATE', 500);
const LIST_RATE = envInt('BENCH_LIST_RATE', 200);
/** Upper bound on the requests of the closed-loop submission scenario. */
const MAX_SUBMISSIONS = envInt('BENCH_MAX_SUBMISSIONS', 50_000);
const WARMUP_REQUESTS = 200;
/** autocannon worker threads generating the load (0 = on the server's own event loop). */
const CLIENT_WORKERS = Number(process.env.BENCH_CLIENT_WORKERS ?? 1);

const JOB_BODY = JSON.stringify({ kind: 'nb201-search', spec: { algorithm: 'random', dataset: 'cifar10', queries: 100, seed: 1 } });

/** Commit of the checkout (REPO_ROOT, else the working directory) and whether it has uncommitted changes. */
function gitSha(): { sha: string | null; dirty: boolean | null } {
  for (const cwd of [REPO_ROOT, process.cwd()]) {
    try {
      const git = (...a: string[]): string => execFileSync('git', a, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      return { sha: git('rev-parse', 'HEAD').trim(), dirty: git('status', '--porcelain').trim().length > 0 };
    } catch {
      // not a git checkout: try the next candidate
    }
  }
  return { sha: null, dirty: null };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A scratch database next to the one of `serverUrl`; dropped by the returned function. */
async function scratchDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `nas_bench_${randomBytes(5).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function fire(baseUrl: string, key: string, s: Scenario, opts: { amount?: number } = {}): Promise<autocannon.Result> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (s.body) headers['content-type'] = 'application/json';
  return autocannon({
    url: `${baseUrl}${s.path}`,
    method: s.method,
    headers,
    body: s.body,
    connections: s.connections,
    timeout: 10,
    ...(CLIENT_WORKERS > 0 ? { workers: CLIENT_WORKERS } : {}),
    ...(opts.amount
      ? { amount: opts.amount }
      : { duration: s.durationS, maxOverallRequests: s.maxRequests, ...(s.overallRate ? { overallRate: s.overallRate } : {}) }),
  });
}

function summarise(s: Scenario, r: autocannon.Result): ScenarioResult {
  const statusCodes: Record<string, number> = {};
  for (const [code, v] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = v.count ?? 0;
  const requests = r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'];
  return {
    name: s.name,
    method: s.method,
    path: s.path,
    connections: s.connections,
    durationS: r.duration,
    targetRatePerS: s.overallRate ?? null,
    targetRateReached: s.overallRate ? requests / r.duration >= 0.9 * s.overallRate : null,
    requests,
    requestsPerS: Math.round((requests / r.duration) * 10) / 10,
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, mean: Math.round(r.latency.mean * 100) / 100 },
    expectedStatus: s.expectedStatus,
    non2xx: r.non2xx,
    statusCodes,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

function table(rows: ScenarioResult[]): string {
  const head = ['scenario', 'conns', 'rate', 'requests', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'non-2xx', 'errors'];
  const body = rows.map((r) => [
    `${r.method} ${r.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, ':id')}`,
    String(r.connections),
    r.targetRatePerS ? `${r.targetRatePerS}/s` : 'max',
    String(r.requests),
    r.requestsPerS.toFixed(1),
    String(r.latencyMs.p50),
    String(r.latencyMs.p90),
    String(r.latencyMs.p99),
    String(r.latencyMs.max),
    String(r.non2xx),
    String(r.errors),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const loadAtStart = Math.round(os.loadavg()[0] * 100) / 100;
  const base = loadConfig();
  const config: AppConfig = { ...base, inProcessWorker: false, logLevel: process.env.LOG_LEVEL ?? 'silent' };
  const server = await openDatabase(config);
  const cleanups: Array<() => Promise<void>> = [() => server.stop()];
  const log = (m: string): void => void process.stdout.write(`${m}\n`);
  try {
    const scratch = await scratchDatabase(server.url);
    cleanups.unshift(() => scratch.drop());
    await runMigrations(scratch.url);
    const app = await createHttpApp({ ...config, databaseUrl: scratch.url }, scratch.url, { worker: false });
    cleanups.unshift(() => app.close());
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    const baseUrl = `http://127.0.0.1:${port}`;
    const { key } = await app.get(AuthService).createTeam(`bench-${randomBytes(4).toString('hex')}`);

    log(`API benchmark: NestJS app in this process on ${baseUrl}, PostgreSQL ${server.embedded ? 'embedded' : 'from DATABASE_URL'} (scratch database)`);
    log('IN_PROCESS_WORKER=false: submitted jobs stay queued; only the HTTP API and its database are measured, no job runs.');
    log(
      `load generator: autocannon ${CLIENT_WORKERS > 0 ? `in ${CLIENT_WORKERS} worker thread(s)` : 'on the event loop'} of this process; ` +
        `${os.cpus().length} CPU cores shared with the server and PostgreSQL; 1-min load average before the run ${loadAtStart}`,
    );

    const probe = await fetch(`${baseUrl}/v1/jobs`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JOB_BODY });
    const probeBody = (await probe.json()) as { id?: string; detail?: string };
    if (probe.status !== 202 || !probeBody.id) throw new Error(`POST /v1/jobs answered ${probe.status} (${probeBody.detail ?? 'no detail'}); the benchmark needs the jobs API`);
    const jobId = probeBody.id;

    const scenarios: Scenario[] = [
      { name: 'submit', method: 'POST', path: '/v1/jobs', body: JOB_BODY, expectedStatus: 202, connections: CONNECTIONS, durationS: DURATION_S, maxRequests: MAX_SUBMISSIONS },
      {
        name: 'get',
        method: 'GET',
        path: `/v1/jobs/${jobId}`,
        expectedStatus: 200,
        connections: CONNECTIONS,
        durationS: DURATION_S,
        overallRate: GET_RATE,
        maxRequests: GET_RATE * DURATION_S,
      },
      {
        name: 'list',
        method: 'GET',
        path: '/v1/jobs',
        expectedStatus: 200,
        connections: CONNECTIONS,
        durationS: DURATION_S,
        overallRate: LIST_RATE,
        maxRequests: LIST_RATE * DURATION_S,
      },
    ];
    const results: ScenarioResult[] = [];
    for (const s of scenarios) {
      // warm-up (JIT, connection pool), not recorded; POSTs of the warm-up create jobs too
      await fire(baseUrl, key, s, { amount: WARMUP_REQUESTS });
      log(`running ${s.name}: ${s.method} ${s.path}, ${s.connections} connections, ${s.overallRate ? `${s.overallRate} req/s` : 'closed loop'}, ${s.durationS} s`);
      const r = summarise(s, await fire(baseUrl, key, s));
      const unexpected = Object.entries(r.statusCodes).filter(([c]) => Number(c) !== s.expectedStatus);
      if (unexpected.length) log(`  WARNING: ${s.name} got unexpected statuses ${JSON.stringify(Object.fromEntries(unexpected))}`);
      if (r.targetRateReached === false) {
        log(`  NOTE: ${s.name} reached ${r.requestsPerS} of the ${s.overallRate} req/s target: the machine was saturated, so its latencies include queueing`);
      }
      results.push(r);
    }

    // the submissions must really be stored: count the queued jobs of the run
    const c = new Client({ connectionString: scratch.url });
    await c.connect();
    const counts = (await c.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM jobs GROUP BY status')).rows;
    await c.end();
    const stored = Object.fromEntries(counts.map((r) => [r.status, r.n]));

    log('');
    log(table(results));
    log('');
    log(`jobs stored in the scratch database by status: ${JSON.stringify(stored)} (probe + warm-up + submit scenario; nothing ran)`);

    const cpus = os.cpus();
    const out = {
      benchmark: 'api',
      note:
        'NestJS API in-process with IN_PROCESS_WORKER=false (jobs stay queued, no job runs); autocannon load from the same ' +
        'process (see loadGenerator) on 127.0.0.1; PostgreSQL scratch database on the same machine. Latencies in ms as measured by autocannon; ' +
        'fixed-rate scenarios do not correct for coordinated omission. GET /v1/jobs/:id reads one job; GET /v1/jobs reads ' +
        'the first page (default limit) of a team with all the jobs submitted in this run.',
      machine: {
        cpus: cpus.length,
        cpuModel: cpus[0]?.model ?? null,
        memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
        platform: `${os.platform()} ${os.release()}`,
        // other processes' load competes with the server, the database and the load generator
        loadAverage1mAtStart: loadAtStart,
        loadAverage1mAtEnd: Math.round(os.loadavg()[0] * 100) / 100,
      },
      loadGenerator: CLIENT_WORKERS > 0 ? `autocannon in ${CLIENT_WORKERS} worker thread(s) of this process` : 'autocannon on the event loop of the server',
      node: process.version,
      git: gitSha(),
      timestamp: new Date().toISOString(),
      database: server.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL server',
      warmupRequestsPerScenario: WARMUP_REQUESTS,
      jobsStoredByStatus: stored,
      scenarios: results,
    };
    const file = path.resolve(process.env.BENCH_OUT ?? path.join(REPO_ROOT, 'benchmarks', 'results', 'api.json'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
    log(`wrote ${file}`);
  } finally {
    for (const close of cleanups) await close().catch((e: unknown) => process.stderr.write(`cleanup: ${String(e)}\n`));
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:api failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
