/**
 * NB201 look-up evaluator performance: in-process look-ups/s, correlation time for 15,625 scores, table load time
 * and memory, and HTTP look-up latency at a fixed 500 req/s against an in-process API server.
 *
 *   NAS_DATA_DIR=... DATABASE_URL=postgres://... node dist/benchmarks/benchmark/perf.js
 *
 * Env: PERF_HTTP_SECONDS (default 10), PERF_HTTP_RATE (default 500), PERF_OUT (default benchmarks/results/lookup-perf.json).
 * The JSON starts with the provenance block (benchmarks/common/provenance.ts).
 * The HTTP part uses a scratch database created on the DATABASE_URL server (migrated, dropped afterwards).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { loadNb201TableUncached } from '../../src/benchmarks/nb201/load';
import { Nb201Data } from '../../src/benchmarks/nb201/table';
import { correlate } from '../../src/benchmarks/stats/correlation';
import { runOpenLoop } from '../common/open-loop';
import { RunProvenance } from '../common/provenance';
import { startServerProcess } from '../common/server-process';
import { loadConfig, REPO_ROOT } from '../../src/config/config';
import { runMigrations } from '../../src/database/data-source';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

function measureLoad(dataDir: string): { table: Nb201Data; loadMs: number; rssDeltaMB: number; heapDeltaMB: number; externalDeltaMB: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const t0 = performance.now();
  const table = loadNb201TableUncached(dataDir);
  const loadMs = performance.now() - t0;
  gc?.();
  const after = process.memoryUsage();
  return {
    table,
    loadMs,
    rssDeltaMB: mb(after.rss - before.rss),
    heapDeltaMB: mb(after.heapUsed - before.heapUsed),
    externalDeltaMB: mb(after.external + after.arrayBuffers - before.external - before.arrayBuffers),
  };
}

function measureLookups(t: Nb201Data): { accuracyPerSec: number; recordPerSec: number; archStrPerSec: number } {
  const n = 2_000_000;
  const idx = new Uint32Array(n);
  let s = 12345;
  for (let k = 0; k < n; k++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    idx[k] = s % t.size;
  }
  const rate = (f: () => number): number => {
    f(); // warm-up
    const t0 = performance.now();
    const sink = f();
    const dt = performance.now() - t0;
    if (!Number.isFinite(sink)) throw new Error('look-up returned a non-finite checksum');
    return Math.round(n / (dt / 1000));
  };
  const accuracyPerSec = rate(() => {
    let sum = 0;
    for (let k = 0; k < n; k++) sum += t.accuracy(idx[k], 'cifar10', 'test', 200);
    return sum;
  });
  // one "record" = accuracy + FLOPs + params + one latency
  const recordPerSec = rate(() => {
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const i = idx[k];
      sum += t.accuracy(i, 'cifar100', 'valid', 200) + t.flops(i, 'cifar100') + t.params(i, 'cifar100') + t.latency(i, 'pixel3');
    }
    return sum;
  });
  const strs = Array.from({ length: t.size }, (_, i) => t.archStr(i));
  const archStrPerSec = rate(() => {
    let sum = 0;
    for (let k = 0; k < n; k++) sum += t.indexOfArchStr(strs[idx[k]]);
    return sum;
  });
  return { accuracyPerSec, recordPerSec, archStrPerSec };
}

function measureCorrelation(t: Nb201Data, runs = 21): { medianMs: number; minMs: number; maxMs: number; runs: number; kendallTau: number } {
  const scores = t.accuracyColumn('cifar10-valid', 'valid', 200)!;
  const truth = t.accuracyColumn('cifar10', 'test', 200)!;
  const times: number[] = [];
  let tau = NaN;
  for (let r = 0; r < runs + 3; r++) {
    const t0 = performance.now();
    const c = correlate(scores, truth, [10, 100]);
    const dt = performance.now() - t0;
    if (r >= 3) times.push(dt); // first 3 runs are warm-up
    tau = c.kendallTau;
  }
  return { medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), runs, kendallTau: tau };
}

async function scratchDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `nas_perf_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  await runMigrations(url.toString());
  return {
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: baseUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

async function measureHttp(seconds: number, rate: number): Promise<Record<string, unknown>> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) throw new Error('DATABASE_URL is required for the HTTP measurement');
  const db = await scratchDatabase(baseUrl);
  const logLevel = process.env.LOG_LEVEL ?? 'silent';
  // the service in its own process, as deployed; the load generator in another (see benchmarks/common)
  const server = await startServerProcess(db.url, { LOG_LEVEL: logLevel });
  try {
    const port = new URL(server.baseUrl).port;
    const key = server.apiKey;
    const headers = { authorization: `Bearer ${key}` };
    // wait for the background table load
    for (let k = 0; ; k++) {
      const res = await fetch(`http://127.0.0.1:${port}/v1/benchmarks/nb201/archs/0`, { headers });
      if (res.status === 200) break;
      if (k > 100) throw new Error(`arch look-up answers ${res.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const run = async (label: string, paths: string[]): Promise<Record<string, unknown>> => ({
      endpoint: label,
      ...(await runOpenLoop({ baseUrl: `http://127.0.0.1:${port}`, paths, headers, ratePerS: rate, durationS: seconds, maxInFlight: 64 })),
    });
    let s = 777;
    const archPaths = Array.from({ length: 20_000 }, () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return `/v1/benchmarks/nb201/archs/${s % 15625}`;
    });
    // warm-up at the same rate (JIT, caches, connection pool), not recorded
    await runOpenLoop({ baseUrl: `http://127.0.0.1:${port}`, paths: [...archPaths.slice(10_000), '/v1/me'], headers, ratePerS: rate, durationS: 3, maxInFlight: 64 });
    const lookup = await run('GET /v1/benchmarks/nb201/archs/:index (random index, full record)', archPaths);
    // same pipeline (API-key guard, logging, metrics) without the benchmark code, for comparison
    const baseline = await run('GET /v1/me (auth only; baseline, not a benchmark route)', ['/v1/me']);
    return { logLevel, server: 'node dist/src/main.js in its own process (API only, IN_PROCESS_WORKER=false)', lookup, baselineAuthOnly: baseline };
  } finally {
    await server.stop();
    await db.drop();
  }
}

async function main(): Promise<void> {
  const dataDir = loadConfig().dataDir;
  const httpSeconds = Number(process.env.PERF_HTTP_SECONDS ?? 10);
  const httpRate = Number(process.env.PERF_HTTP_RATE ?? 500);
  const file = process.env.PERF_OUT ?? path.join(REPO_ROOT, 'benchmarks', 'results', 'lookup-perf.json');
  const prov = new RunProvenance('dist/benchmarks/benchmark/perf.js', ['PERF_HTTP_SECONDS', 'PERF_HTTP_RATE', 'PERF_OUT'], {
    dataDir: path.join(dataDir, 'nasbench201'),
    httpSeconds,
    httpRatePerS: httpRate,
    httpWarmupSeconds: 3,
    httpMaxInFlight: 64,
    out: file,
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
  });
  const load = measureLoad(dataDir);
  const t = load.table;
  const lookups = measureLookups(t);
  const corr = measureCorrelation(t);
  const http = await measureHttp(httpSeconds, httpRate);
  const out = {
    benchmark: 'nb201-perf',
    machine: { loadAvg1mAtEnd: os.loadavg()[0] },
    dataDir: path.join(dataDir, 'nasbench201'),
    tableLoad: { ms: Math.round(load.loadMs), rssDeltaMB: load.rssDeltaMB, heapDeltaMB: load.heapDeltaMB, arrayBuffersDeltaMB: load.externalDeltaMB },
    inProcessLookupsPerSec: lookups,
    correlation15625: { ...corr, what: 'tau-b + Spearman + Pearson + top-10/100 precision, cifar10-valid valid200 vs cifar10 test200' },
    http,
  };
  const written = prov.writeResultJson(file, out);
  process.stdout.write(JSON.stringify(out, null, 2) + `\nwritten to ${written}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
