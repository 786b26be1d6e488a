import { parseArgs } from 'node:util';
import { createNasClient } from '../../openapi/client';
import { AuthService } from '../auth/auth.service';
import { createHttpApp } from '../bootstrap';
import { loadConfig } from '../config/config';
import { runMigrations } from '../database/data-source';
import { openDatabase } from '../database/database';

/**
 * `npm run demo`: the service's main job end to end on the default set-up (embedded PostgreSQL unless
 * DATABASE_URL is set): start the API with its in-process worker, create a team, submit a job over REST with the
 * generated client, follow its progress over SSE, print the result. Default: an SE-NAS search on the NB201 space
 * that trains a small supernet on the CIFAR-10 subset on the CPU (about a minute) and checks its ranking against
 * NAS-Bench-201; `--kind nb201-search` runs the benchmark-backed search (table lookups, no training) instead.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kind: { type: 'string', default: 'se-nas-nb201' },
      algorithm: { type: 'string', default: 'local' },
      dataset: { type: 'string', default: 'cifar10' },
      queries: { type: 'string', default: '300' },
      seed: { type: 'string', default: '1' },
      device: { type: 'string', default: 'pixel3' },
      'max-latency-ms': { type: 'string', default: '10' },
      json: { type: 'boolean', default: false },
      // JSON object merged over the default spec, e.g. --spec '{"maxTrainImages":256}' (a shorter run for CI checks)
      spec: { type: 'string', default: '{}' },
    },
  });
  const config = { ...loadConfig(), logLevel: process.env.LOG_LEVEL ?? 'warn' };
  const db = await openDatabase(config);
  await runMigrations(db.url);
  const app = await createHttpApp(config, db.url, { worker: true });
  await app.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  try {
    const { key, team } = await app.get(AuthService).createTeam(`demo-${Date.now().toString(36)}`);
    const client = createNasClient(baseUrl, key);
    const kind = values.kind;
    const overrides = JSON.parse(values.spec) as Record<string, unknown>;
    const defaults: Record<string, unknown> =
      kind === 'scalenet-family'
        ? SCALENET_DEMO_SPEC
        : kind === 'nb201-search'
        ? {
            algorithm: values.algorithm,
            dataset: values.dataset,
            queries: Number(values.queries),
            seed: Number(values.seed),
            constraints: { maxLatencyMs: Number(values['max-latency-ms']), device: values.device },
          }
        : { dataset: 'cifar10-subset', C: 4, N: 1, batchSize: 64, seed: Number(values.seed), maxTrainImages: 2000, epochsPerStage: 1, samplesPerStage: 30, evalImages: 200, correlationSample: 30 };
    const spec: Record<string, unknown> = { ...defaults, ...overrides };
    log(`database: ${db.embedded ? `embedded PostgreSQL (${config.embeddedPgDir})` : 'DATABASE_URL'}; API at ${baseUrl}; team ${team.name}`);
    log(`POST /v1/jobs ${kind} ${JSON.stringify(spec)}`);
    const created = await client.POST('/v1/jobs', { body: { kind, spec } });
    if (!created.data) throw new Error(`submission refused: ${JSON.stringify(created.error)}`);
    const id = created.data.id;
    await follow(`${baseUrl}/v1/jobs/${id}/events`, key);
    const job = await client.GET('/v1/jobs/{id}', { params: { path: { id } } });
    if (job.data?.status !== 'succeeded') throw new Error(`job ${id} ended ${job.data?.status}: ${JSON.stringify(job.data?.error)}`);
    const res = await client.GET('/v1/jobs/{id}/result', { params: { path: { id } } });
    const result = res.data?.result ?? {};
    if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else printSummary(result, kind);
  } finally {
    await app.close();
    await db.stop();
  }
}

/** Prints the job's progress events as they arrive, until the server ends the stream. */
async function follow(url: string, key: string): Promise<void> {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${key}` } });
  if (!res.body) return;
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? '{}') as Record<string, unknown>;
      if (event === 'progress') log(`  ${(100 * Number(data.fraction)).toFixed(0).padStart(3)}%  ${String(data.message ?? '')}`);
      else if (event && event !== 'checkpoint') log(`  [${event}]`);
    }
  }
}

/**
 * The ScaleNet demo: the `small` preset on 256 CIFAR-10-subset images (26 held out), one epoch of super-supernet
 * training, M = 3 and a shortened MCEA (T=1, K=1, P=6, N=2) instead of appendix A's T=8, K=20, P=50, N=40, so it
 * ends in minutes on 2 cores. Its accuracies are a proxy on a shortened schedule (the result says so).
 */
const SCALENET_DEMO_SPEC = { dataset: 'cifar10-subset', preset: 'small', M: 3, epochs: 1, batchSize: 16, maxTrainImages: 256, evalImages: 32, recalBatches: 1, f0Samples: 20000, T: 1, K: 1, P: 6, N: 2, seed: 1 };

/** The family table of a scalenet-family result, one row per member. */
function printFamily(r: Record<string, unknown>): void {
  const fam = r.family as Array<Record<string, unknown>>;
  const head = ['S', 'origin', 'd', 'w', 'r', 'res', 'blocks/stage', 'MFLOPs', 'budget', 'in band', 'params', 'supernet acc'];
  const rows = fam.map((m) => [
    `S${m.stage}`, String(m.origin), Number(m.d).toFixed(2), Number(m.w).toFixed(2), Number(m.r).toFixed(2), String(m.resolution),
    (m.blocksPerStage as number[]).join(','), (Number(m.flops) / 1e6).toFixed(2), (Number(m.budget) / 1e6).toFixed(1), m.withinBudget ? 'yes' : 'no',
    String(m.params), m.supernetAccuracy === null ? '-' : Number(m.supernetAccuracy).toFixed(3),
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(width[i])).join('  ');
  log(`\nScaleNet family (${(r.preset as Record<string, unknown>).name} preset; base model blocks per stage with expand/kernel/SE: --json)`);
  log(line(head));
  rows.forEach((row) => log(line(row)));
  const base = r.base as { stages: Array<Array<{ expand: number; kernel: number; se: boolean }>> };
  log(`base model: ${base.stages.map((st) => st.map((b) => `MB${b.expand}-k${b.kernel}${b.se ? '-SE' : ''}`).join(' ')).join(' | ')}`);
  log(`generalisation: ${JSON.stringify((r.strategies as Record<string, unknown>).kind)}; search cost: ${JSON.stringify(r.searchCost)}`);
  log(`supernet: ${JSON.stringify(pick(r.supernet as Record<string, unknown>, ['sampler', 'epochs', 'steps', 'params', 'imagesPerSecond', 'epochLosses']))}`);
  log(`artefacts: ${JSON.stringify(r.artifacts)}`);
  log(`evidence: ${(r.evidence as Record<string, unknown>).description}`);
  for (const n of (r.notes as string[]).slice(0, -1)) log(`note: ${n}`);
}

function printSummary(r: Record<string, unknown>, kind: string): void {
  if (kind === 'scalenet-family') return printFamily(r);
  if (kind !== 'nb201-search') {
    const oneShot = ['method', 'backend', 'arch', 'supernetAccuracy', 'survivingOperators', 'benchmarkRecord', 'correlation', 'schedule', 'imagesPerSecond', 'childrenEvaluated', 'notes'];
    process.stdout.write(`\nresult (full JSON with stages, scores and children: --json):\n${JSON.stringify(pick(r, oneShot), null, 2)}\n`);
    return;
  }
  const keys = ['evaluation', 'algorithm', 'dataset', 'seed', 'budget', 'searchMetric', 'reportMetric', 'constraints', 'bestArch', 'bestRecord', 'constrainedOptimum', 'regret', 'queriesUsed', 'duplicatesSkipped', 'infeasibleSkipped', 'accounting'];
  process.stdout.write(`\nresult (full JSON with the trajectory: --json):\n${JSON.stringify(pick(r, keys), null, 2)}\n`);
}

function pick(r: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in r).map((k) => [k, r[k]]));
}

function log(s: string): void {
  process.stdout.write(`${s}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
