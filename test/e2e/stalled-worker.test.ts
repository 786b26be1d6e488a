// A stalled ("zombie") worker never completes a job twice.
// (a) Real processes: a worker is frozen with SIGSTOP (with its trainer child) past its lease, another worker takes
//     the job over and finishes it, then the first gets SIGCONT: exactly one `succeeded`, one result, unchanged.
// (b) In-process and deterministic: the stalled runner's late result arrives while the second runner still holds
//     the job; finish()'s lease-owner check must discard it (remove `lease_owner = $2` from finish() and (b) fails).
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { IsInt, IsOptional } from 'class-validator';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../src/config/config';
import { APP_ROLE } from '../../src/config/config.module';
import { MetricsService } from '../../src/health/metrics.service';
import { JobKindRegistry } from '../../src/jobs/job-kind.registry';
import { ArtifactsService } from '../../src/artifacts/artifacts.service';
import { JobRunnerService } from '../../src/jobs/job-runner.service';
import { QueueService } from '../../src/jobs/queue.service';
import { startTestApp, TestApp } from '../support/harness';
import { waitFor } from '../support/sse';

const WORKER = path.resolve(__dirname, '../../src/worker.js');

interface Row {
  status: string;
  lease_owner: string | null;
  attempts: number;
  result: Record<string, unknown> | null;
}

async function row(t: TestApp, id: string): Promise<Row> {
  return (await t.app.get(DataSource).query(`SELECT status, lease_owner, attempts, result FROM jobs WHERE id = $1`, [id]))[0] as Row;
}

async function events(t: TestApp, id: string): Promise<Array<{ type: string; data: Record<string, unknown> }>> {
  return t.app.get(DataSource).query(`SELECT type, data FROM job_events WHERE job_id = $1 ORDER BY id`, [id]);
}

describe('stalled worker (SIGSTOP past its lease, SIGCONT after another worker finished the job)', () => {
  let t: TestApp;
  let key: string;
  const workers: ChildProcess[] = [];

  function startWorker(detached: boolean): ChildProcess {
    const child = spawn(process.execPath, [WORKER], {
      env: {
        ...process.env,
        DATABASE_URL: t.dbUrl,
        STORAGE_DIR: t.config.storageDir,
        JOB_LEASE_SECONDS: '2',
        JOB_HEARTBEAT_MS: '300',
        WORKER_CONCURRENCY: '1',
        LOG_LEVEL: 'silent',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached, // its own process group: SIGSTOP reaches the worker and its trainer child
    });
    child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[worker ${child.pid}] ${d}`));
    workers.push(child);
    return child;
  }

  before(async () => {
    t = await startTestApp({}, { worker: false });
    key = (await t.createTeam('zombie')).key;
  });
  after(async () => {
    for (const w of workers) {
      if (w.exitCode !== null || w.signalCode !== null) continue;
      try {
        process.kill(-(w.pid as number), 'SIGCONT');
      } catch {
        /* not a group leader */
      }
      w.kill('SIGKILL');
    }
    await t?.close();
  });

  test('exactly one succeeded, one result; the first worker\'s late outcome is discarded', async () => {
    const a = startWorker(true);
    const res = await fetch(`${t.baseUrl}/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'dataset-baseline', spec: { dataset: 'cifar10-subset', epochs: 6, batchSize: 64, lr: 0.01, seed: 21 } }),
    });
    assert.equal(res.status, 202);
    const id = ((await res.json()) as { id: string }).id;
    const ds = t.app.get(DataSource);
    const checkpoints = async (): Promise<number> =>
      Number((await ds.query(`SELECT count(*) AS n FROM job_events WHERE job_id = $1 AND type = 'checkpoint'`, [id]))[0].n);
    await waitFor(async () => ((await row(t, id)).status === 'running' && (await checkpoints()) > 0 ? true : undefined), 90_000, 'first checkpoint on worker A');
    const ownerA = (await row(t, id)).lease_owner;
    assert.match(String(ownerA), new RegExp(`:${a.pid}:`));
    process.kill(-(a.pid as number), 'SIGSTOP');

    const b = startWorker(false);
    const done = await waitFor(async () => {
      const r = await row(t, id);
      return r.status === 'succeeded' ? r : undefined;
    }, 120_000, 'worker B to finish the job');
    assert.ok(done.attempts >= 2, `taken over: attempts ${done.attempts}`);
    const before = await events(t, id);
    const succeeded = before.filter((e) => e.type === 'succeeded');
    assert.equal(succeeded.length, 1);
    assert.match(String(succeeded[0].data.worker), new RegExp(`:${b.pid}:`), 'worker B finished it');

    process.kill(-(a.pid as number), 'SIGCONT');
    // A resumes: its heartbeat finds the lease gone (or its finish() finds the job no longer its own)
    await new Promise((r) => setTimeout(r, 4000));
    const afterCont = await row(t, id);
    assert.deepEqual(afterCont, done, 'status, attempts and result unchanged by the late worker');
    const evs = await events(t, id);
    assert.deepEqual(evs, before, 'no event from the late worker');
    assert.equal(a.exitCode, null, 'worker A survived and keeps serving');
  });
});

describe('finish() of a stalled runner while another runner holds the job (in-process, deterministic)', () => {
  let t: TestApp;
  const gates = new Map<string, (v: Record<string, unknown>) => void>();

  before(async () => {
    t = await startTestApp({ leaseSeconds: 1 }, { worker: false });
    class GatedSpec {
      @IsOptional()
      @IsInt()
      n?: number;
    }
    t.app.get(JobKindRegistry).register({
      kind: 'test-gated',
      summary: 'test only: finishes when the test opens its gate',
      specClass: GatedSpec,
      run: (ctx) => new Promise<Record<string, unknown>>((resolve) => gates.set(`${ctx.jobId}:${ctx.attempt}`, resolve)),
    });
  });
  after(async () => t?.close());

  function runner(over: Partial<AppConfig>): JobRunnerService {
    const config = { ...t.app.get<AppConfig>(APP_CONFIG), ...over };
    return new JobRunnerService(config, t.app.get(APP_ROLE), t.app.get(DataSource), t.app.get(QueueService), t.app.get(JobKindRegistry), t.app.get(MetricsService), t.app.get(ArtifactsService));
  }

  test('the late result is discarded; the job ends once, with the current owner\'s result', async () => {
    const { key } = await t.createTeam('gated');
    const res = await fetch(`${t.baseUrl}/v1/jobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'test-gated', spec: {} }),
    });
    assert.equal(res.status, 202, await res.clone().text());
    const id = ((await res.json()) as { id: string }).id;
    // runner A never renews its lease (as if frozen), runner B is healthy
    const a = runner({ heartbeatMs: 3_600_000 });
    const b = runner({});
    const runA = a.handle({ jobId: id });
    await waitFor(async () => (gates.has(`${id}:1`) ? true : undefined), 10_000, 'A to start');
    assert.equal((await row(t, id)).lease_owner, a.workerId);
    await new Promise((r) => setTimeout(r, 1500)); // past A's 1 s lease
    assert.equal(await b.reap(), 1);
    const runB = b.handle({ jobId: id });
    await waitFor(async () => (gates.has(`${id}:2`) ? true : undefined), 10_000, 'B to take the job');
    assert.equal((await row(t, id)).lease_owner, b.workerId);

    gates.get(`${id}:1`)?.({ by: 'A' }); // the zombie's late result
    await runA;
    const mid = await row(t, id);
    assert.equal(mid.status, 'running', 'the late result did not finish the job');
    assert.equal(mid.lease_owner, b.workerId);
    assert.equal(mid.result, null);

    gates.get(`${id}:2`)?.({ by: 'B' });
    await runB;
    const end = await row(t, id);
    assert.equal(end.status, 'succeeded');
    assert.deepEqual(end.result, { by: 'B' });
    const evs = await t.app.get(DataSource).query(`SELECT type, data FROM job_events WHERE job_id = $1 AND type = 'succeeded'`, [id]);
    assert.equal(evs.length, 1);
    assert.equal(evs[0].data.worker, b.workerId);
  });
});
