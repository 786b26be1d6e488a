/**
 * API load benchmark (`npm run bench:api`): the service as deployed (`node dist/src/main.js`, its own process, API only,
 * IN_PROCESS_WORKER=false, see benchmarks/common/server-process.ts), measured from outside on 127.0.0.1 only.
 *
 *  (a) POST /v1/jobs       job submission throughput: closed loop, autocannon (worker thread of this process),
 *                          a fixed number of connections, bounded in time and in count
 *  (b) GET  /v1/jobs/:id   latency at a fixed rate: open loop (benchmarks/common/open-loop.ts, child process),
 *                          uniform arrivals, latency measured from each request's due time
 *  (c) GET  /v1/jobs       list (first page) latency at a fixed rate, same open-loop generator
 *
 * Submitted jobs stay queued (no worker), so only the HTTP API and its database are measured.
 * The database is a scratch database created for this run on the server of DATABASE_URL, or of an embedded
 * PostgreSQL when DATABASE_URL is unset, migrated, and dropped at the end, so every run starts from an empty jobs table.
 * Needs the compiled service (dist/src/main.js, dist/src/cli/create-team.js). Writes benchmarks/results/api.json (or BENCH_OUT),
 * starting with the provenance block (benchmarks/common/provenance.ts).
 */
import 'reflect-metadata';
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { loadConfig, REPO_ROOT } from '../../src/config/config';
import { runMigrations } from '../../src/database/data-source';
import { openDatabase } from '../../src/database/database';
import { OpenLoopResult, runOpenLoop } from '../common/open-loop';
import { RunProvenance } from '../common/provenance';
import { startServerProcess } from '../common/server-process';

interface ScenarioResult {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  generator: string;
  /** Closed loop: open connections. Open loop: the most requests allowed in flight. */
  concurrency: number;
  durationS: number;
  /** null for the closed loop (as fast as the connections allow). */
  targetRatePerS: number | null;
  /** false when an open-loop scenario completed under 90 % of its target rate (the machine could not keep up). */
  targetRateReached: boolean | null;
  requests: number;
  requestsPerS: number;
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  expectedStatus: number;
  non2xx: number;
  /** By status code; the open-loop generator only counts non-2xx. */
  statusCodes: Record<string, number> | null;
  errors: number;
  timeouts: number | null;
}

function envInt(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  const v = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  return v;
}

const DURATION_S = envInt('BENCH_DURATION_S', 10);
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 10);
const GET_RATE = envInt('BENCH_GET_RATE', 500);
const LIST_RATE = envInt('BENCH_LIST_RATE', 200);
/** Upper bound on the requests of the closed-loop submission scenario. */
const MAX_SUBMISSIONS = envInt('BENCH_MAX_SUBMISSIONS', 50_000);
/** Requests in flight allowed to the open-loop generator. */
const MAX_IN_FLIGHT = envInt('BENCH_MAX_IN_FLIGHT', 64);
/** Warm-up (JIT, connection pools), not recorded: submissions before (a), seconds at the target rate before (b) and (c). */
const WARMUP_SUBMISSIONS = 200;
const WARMUP_S = 2;
/** autocannon worker threads for (a); 0 = the event loop of this process (never the server's: it is another process). */
const CLIENT_WORKERS = envInt('BENCH_CLIENT_WORKERS', 1, 0);

const JOB_BODY = JSON.stringify({ kind: 'nb201-search', spec: { algorithm: 'random', dataset: 'cifar10', queries: 100, seed: 1 } });
const AUTOCANNON = `autocannon ${CLIENT_WORKERS > 0 ? `in ${CLIENT_WORKERS} worker thread(s)` : 'on the event loop'} of the benchmark process, closed loop`;

const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;
const load1m = (): number => round(os.loadavg()[0]);

/** Commit of the checkout (REPO_ROOT, else the working directory) and whether it has uncommitted changes. */
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

/** (a) closed-loop submissions; `amount` set = warm-up of that many requests. */
function submit(baseUrl: string, key: string, amount?: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${baseUrl}/v1/jobs`,
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JOB_BODY,
    connections: CONNECTIONS,
    timeout: 10,
    ...(CLIENT_WORKERS > 0 ? { workers: CLIENT_WORKERS } : {}),
    ...(amount ? { amount } : { duration: DURATION_S, maxOverallRequests: MAX_SUBMISSIONS }),
  });
}

function fromAutocannon(r: autocannon.Result): ScenarioResult {
  const statusCodes: Record<string, number> = {};
  for (const [code, v] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = v.count ?? 0;
  const requests = r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'];
  const l = r.latency;
  return {
    name: 'submit',
    method: 'POST',
    path: '/v1/jobs',
    generator: AUTOCANNON,
    concurrency: CONNECTIONS,
    durationS: r.duration,
    targetRatePerS: null,
    targetRateReached: null,
    requests,
    requestsPerS: round(requests / r.duration, 1),
    latencyMs: { p50: l.p50, p90: l.p90, p99: l.p99, p999: l.p99_9, max: l.max, mean: round(l.mean) },
    expectedStatus: 202,
    non2xx: r.non2xx,
    statusCodes,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

function fromOpenLoop(name: string, urlPath: string, r: OpenLoopResult): ScenarioResult {
  return {
    name,
    method: 'GET',
    path: urlPath,
    generator: r.generator,
    concurrency: MAX_IN_FLIGHT,
    durationS: r.durationS,
    targetRatePerS: r.targetRatePerS,
    targetRateReached: r.achievedRatePerS >= 0.9 * r.targetRatePerS,
    requests: r.completed,
    requestsPerS: round(r.achievedRatePerS, 1),
    latencyMs: r.latencyMs,
    expectedStatus: 200,
    non2xx: r.non2xx,
    statusCodes: null,
    errors: r.errors,
    timeouts: null,
  };
}

function table(rows: ScenarioResult[]): string {
  const head = ['scenario', 'loop', 'conc', 'rate', 'requests', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'non-2xx', 'errors'];
  const body = rows.map((r) => [
    `${r.method} ${r.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, ':id')}`,
    r.targetRatePerS ? 'open' : 'closed',
    String(r.concurrency),
    r.targetRatePerS ? `${r.targetRatePerS}/s` : 'max',
    String(r.requests),
    r.requestsPerS.toFixed(1),
    ...[r.latencyMs.p50, r.latencyMs.p90, r.latencyMs.p99, r.latencyMs.p999, r.latencyMs.max].map((x) => String(round(x, 1))),
    String(r.non2xx),
    String(r.errors),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const outFile = path.resolve(process.env.BENCH_OUT ?? path.join(REPO_ROOT, 'benchmarks', 'results', 'api.json'));
  const prov = new RunProvenance(
    'dist/benchmarks/api/run.js',
    ['BENCH_DURATION_S', 'BENCH_CONNECTIONS', 'BENCH_GET_RATE', 'BENCH_LIST_RATE', 'BENCH_MAX_SUBMISSIONS', 'BENCH_MAX_IN_FLIGHT', 'BENCH_CLIENT_WORKERS', 'BENCH_OUT'],
    {
      durationS: DURATION_S,
      connections: CONNECTIONS,
      getRatePerS: GET_RATE,
      listRatePerS: LIST_RATE,
      maxSubmissions: MAX_SUBMISSIONS,
      maxInFlight: MAX_IN_FLIGHT,
      clientWorkers: CLIENT_WORKERS,
      warmupSubmissions: WARMUP_SUBMISSIONS,
      warmupSeconds: WARMUP_S,
      jobBody: JSON.parse(JOB_BODY) as unknown,
      out: outFile,
    },
  );
  const loadAtStart = load1m();
  const log = (m: string): void => void process.stdout.write(`${m}\n`);
  const db = await openDatabase(loadConfig());
  const cleanups: Array<() => Promise<void>> = [() => db.stop()];
  try {
    const scratch = await scratchDatabase(db.url);
    cleanups.unshift(() => scratch.drop());
    await runMigrations(scratch.url);
    const server = await startServerProcess(scratch.url, { MIGRATE_ON_START: 'false' });
    cleanups.unshift(() => server.stop());
    const { baseUrl, apiKey } = server;
    const headers = { authorization: `Bearer ${apiKey}` };

    log(`API benchmark: node dist/src/main.js as process ${server.pid} on ${baseUrl} (API only, IN_PROCESS_WORKER=false: jobs stay queued, nothing runs)`);
    log(`PostgreSQL ${db.embedded ? 'embedded' : 'from DATABASE_URL'} (scratch database); ${os.cpus().length} CPU cores shared by server, PostgreSQL and load generators`);
    log(`1-min load average before the run: ${loadAtStart}`);

    const probe = await fetch(`${baseUrl}/v1/jobs`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JOB_BODY });
    const probeBody = (await probe.json()) as { id?: string; detail?: string };
    if (probe.status !== 202 || !probeBody.id) throw new Error(`POST /v1/jobs answered ${probe.status} (${probeBody.detail ?? 'no detail'}); the benchmark needs the jobs API`);
    const jobPath = `/v1/jobs/${probeBody.id}`;

    const results: ScenarioResult[] = [];
    const report = (r: ScenarioResult): void => {
      if (r.statusCodes) {
        const unexpected = Object.entries(r.statusCodes).filter(([c]) => Number(c) !== r.expectedStatus);
        if (unexpected.length) log(`  WARNING: ${r.name} got unexpected statuses ${JSON.stringify(Object.fromEntries(unexpected))}`);
      } else if (r.non2xx > 0) log(`  WARNING: ${r.name} got ${r.non2xx} non-2xx answers`);
      if (r.errors > 0) log(`  WARNING: ${r.name} had ${r.errors} connection errors`);
      if (r.targetRateReached === false) log(`  NOTE: ${r.name} completed ${r.requestsPerS} of ${r.targetRatePerS} req/s: the machine was saturated`);
      results.push(r);
    };

    // (a) closed loop; the warm-up submissions create jobs too
    await submit(baseUrl, apiKey, WARMUP_SUBMISSIONS);
    log(`running submit: POST /v1/jobs, ${AUTOCANNON}, ${CONNECTIONS} connections, ${DURATION_S} s (at most ${MAX_SUBMISSIONS} requests)`);
    report(fromAutocannon(await submit(baseUrl, apiKey)));

    // (b), (c) open loop at a fixed rate, each after a warm-up at the same rate
    for (const [name, urlPath, rate] of [['get', jobPath, GET_RATE], ['list', '/v1/jobs', LIST_RATE]] as const) {
      const opts = { baseUrl, paths: [urlPath], headers, ratePerS: rate, maxInFlight: MAX_IN_FLIGHT };
      await runOpenLoop({ ...opts, durationS: WARMUP_S });
      log(`running ${name}: GET ${urlPath}, open loop at ${rate} req/s, at most ${MAX_IN_FLIGHT} in flight, ${DURATION_S} s`);
      report(fromOpenLoop(name, urlPath, await runOpenLoop({ ...opts, durationS: DURATION_S })));
    }
    const loadAtEnd = load1m();

    // the submissions must really be stored: count the queued jobs of the run
    const c = new Client({ connectionString: scratch.url });
    await c.connect();
    const counts = (await c.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM jobs GROUP BY status').finally(() => c.end())).rows;
    const stored = Object.fromEntries(counts.map((r) => [r.status, r.n]));
    // at least probe + warm-up + the 202s autocannon counted; up to one more per connection was in flight when it stopped
    const expectedStored = 1 + WARMUP_SUBMISSIONS + (results[0].statusCodes?.['202'] ?? 0);
    const queued = stored.queued ?? 0;

    log('');
    log(table(results));
    log('');
    log(
      `jobs stored in the scratch database by status: ${JSON.stringify(stored)} (expected ${expectedStored} to ${expectedStored + CONNECTIONS} queued: ` +
        `probe + warm-up + the 202s autocannon counted, plus up to ${CONNECTIONS} in flight when it stopped; nothing ran)`,
    );
    if (queued < expectedStored || queued > expectedStored + CONNECTIONS || Object.keys(stored).some((k) => k !== 'queued')) {
      log('  WARNING: the stored jobs do not match the acknowledged submissions');
    }
    log(`1-min load average: ${loadAtStart} before, ${loadAtEnd} after`);

    const cpus = os.cpus();
    const machine = {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model ?? null,
      memoryGiB: round(os.totalmem() / 2 ** 30, 1),
      platform: `${os.platform()} ${os.release()}`,
      // other processes' load competes with the server, the database and the load generators
      loadAverage1mAtStart: loadAtStart,
      loadAverage1mAtEnd: loadAtEnd,
    };
    const out = {
      benchmark: 'api',
      note:
        `The service as deployed: node dist/src/main.js in its own process (API only, IN_PROCESS_WORKER=false, so submitted jobs ` +
        `stay queued and no job runs), on 127.0.0.1, with a PostgreSQL scratch database (${db.embedded ? 'embedded' : 'DATABASE_URL server'}) ` +
        `on the same machine (${machine.cpus} x ${machine.cpuModel ?? 'unknown CPU'}, ${machine.memoryGiB} GiB; server, PostgreSQL and load ` +
        `generators share these cores; 1-min load average ${loadAtStart} before, ${loadAtEnd} after). ` +
        `(a) POST /v1/jobs: ${AUTOCANNON}, ${CONNECTIONS} connections for ${DURATION_S} s (at most ${MAX_SUBMISSIONS} requests) ` +
        `after ${WARMUP_SUBMISSIONS} warm-up submissions; req/s is the throughput and latencies are autocannon's per-request times (whole ms). ` +
        `(b) GET /v1/jobs/:id (one job) at ${GET_RATE} req/s and (c) GET /v1/jobs (first page, default limit, of a team holding every job ` +
        `submitted in this run) at ${LIST_RATE} req/s: open loop from a separate process (benchmarks/common/open-loop.ts), uniform ` +
        `arrivals, at most ${MAX_IN_FLIGHT} requests in flight, ${DURATION_S} s each after ${WARMUP_S} s of unrecorded warm-up at the same rate; ` +
        `latency is measured from each request's due time, so queueing in the server or the generator counts (no coordinated omission). ` +
        `Latencies in ms.`,
      machine,
      server: { process: 'node dist/src/main.js', inProcessWorker: false, host: '127.0.0.1' },
      database: db.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL server',
      warmup: { submitRequests: WARMUP_SUBMISSIONS, openLoopSecondsAtTargetRate: WARMUP_S },
      jobsStoredByStatus: stored,
      /** Lower bound: up to `connections` more submissions were in flight when autocannon stopped counting. */
      jobsExpectedQueued: expectedStored,
      scenarios: results,
    };
    log(`wrote ${prov.writeResultJson(outFile, out)}`);
  } finally {
    for (const close of cleanups) await close().catch((e: unknown) => process.stderr.write(`cleanup: ${String(e)}\n`));
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:api failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
