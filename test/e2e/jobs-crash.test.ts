import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DataSource } from 'typeorm';
import { createNasClient, NasClient } from '../../openapi/client';
import { startTestApp, TestApp } from '../support/harness';
import { readSse, waitFor } from '../support/sse';

const WORKER = path.resolve(__dirname, '../../src/worker.js');

/** Worker processes (`npm run worker`) against the test database, with a short lease so a dead one is noticed fast. */
function startWorker(t: TestApp, env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, [WORKER], {
    env: {
      ...process.env,
      DATABASE_URL: t.dbUrl,
      STORAGE_DIR: t.config.storageDir,
      JOB_LEASE_SECONDS: '2',
      JOB_HEARTBEAT_MS: '300',
      WORKER_CONCURRENCY: '1',
      LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[worker ${child.pid}] ${d}`));
  return child;
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => {
    child.once('exit', () => r());
    child.kill('SIGTERM');
  });
}

const baseline = { kind: 'dataset-baseline', spec: { dataset: 'cifar10-subset', epochs: 6, batchSize: 64, lr: 0.01, seed: 11 } };

describe('crash safety: kill -9 of a worker mid-job', () => {
  let t: TestApp;
  let client: NasClient;
  let key: string;
  const workers: ChildProcess[] = [];

  before(async () => {
    t = await startTestApp({}, { worker: false });
    key = (await t.createTeam('crash-team')).key;
    client = createNasClient(t.baseUrl, key);
  });
  after(async () => {
    for (const w of workers) await stop(w);
    await t?.close();
  });

  async function job(id: string): Promise<Record<string, unknown>> {
    const { data } = await client.GET('/v1/jobs/{id}', { params: { path: { id } } });
    assert.ok(data);
    return data as unknown as Record<string, unknown>;
  }

  /** The job once it has reached a terminal status. */
  function finished(id: string, what: string, timeoutMs = 120_000): Promise<Record<string, unknown>> {
    return waitFor(async () => {
      const j = await job(id);
      return ['succeeded', 'failed', 'cancelled'].includes(j.status as string) ? j : undefined;
    }, timeoutMs, what);
  }

  test('the job is picked up again, resumes from its checkpoint, and finishes once with the uninterrupted result', async () => {
    const w1 = startWorker(t);
    workers.push(w1);
    const { data } = await client.POST('/v1/jobs', { body: baseline });
    assert.ok(data);
    const id = data.id;
    // wait until a checkpoint is persisted, then kill the worker without warning
    await waitFor(async () => ((await job(id)).status === 'running' && (await readCheckpointCount(id)) > 0 ? true : undefined), 90_000, 'first checkpoint');
    w1.kill('SIGKILL');
    await new Promise((r) => w1.once('exit', r));
    assert.equal((await job(id)).status, 'running', 'the dead worker still holds the job until its lease expires');

    const w2 = startWorker(t);
    workers.push(w2);
    const done = await finished(id, 'job to finish on the second worker');
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.equal(done.attempts, 2);

    const { events } = await readSse(`${t.baseUrl}/v1/jobs/${id}/events`, { Authorization: `Bearer ${key}` });
    const types = events.map((e) => e.event);
    assert.equal(types.filter((x) => x === 'succeeded').length, 1, 'finished exactly once');
    const retry = events.find((e) => e.event === 'retry');
    assert.match(String(retry?.data.reason), /lease expired/);
    const starts = events.filter((e) => e.event === 'started');
    assert.equal(starts.length, 2);
    assert.equal(starts[1].data.resumed, true, 'second attempt resumed from a checkpoint');

    // the same spec, uninterrupted, gives the same model: resume is exact
    const ref = await client.POST('/v1/jobs', { body: baseline });
    assert.ok(ref.data);
    const refDone = await waitFor(async () => ((await job(ref.data!.id)).status === 'succeeded' ? true : undefined), 120_000, 'reference job');
    assert.ok(refDone);
    const r1 = (await client.GET('/v1/jobs/{id}/result', { params: { path: { id } } })).data?.result as Record<string, unknown>;
    const r2 = (await client.GET('/v1/jobs/{id}/result', { params: { path: { id: ref.data.id } } })).data?.result as Record<string, unknown>;
    assert.equal(r1.testAccuracy, r2.testAccuracy);
    assert.deepEqual(r1.trainLoss, r2.trainLoss);
  });

  test('SIGTERM hands a running job back to the queue without using an attempt; another worker resumes it', async () => {
    for (const w of workers) await stop(w);
    // a long lease: this test is about the graceful hand-back, and a 2 s lease can expire on a loaded machine (the
    // reaper would then requeue the job and count the attempt before SIGTERM arrives)
    const w1 = startWorker(t, { JOB_LEASE_SECONDS: '30' });
    workers.push(w1);
    const { data } = await client.POST('/v1/jobs', { body: { ...baseline, spec: { ...baseline.spec, seed: 12 } } });
    assert.ok(data);
    const id = data.id;
    await waitFor(async () => ((await job(id)).status === 'running' && (await readCheckpointCount(id)) > 0 ? true : undefined), 90_000, 'first checkpoint');
    await stop(w1); // SIGTERM: graceful
    const back = await job(id);
    assert.equal(back.status, 'queued', 'handed back, not failed');
    assert.equal(back.attempts, 0, 'a shutdown does not use up an attempt');
    const w2 = startWorker(t);
    workers.push(w2);
    const done = await finished(id, 'job to finish on the second worker');
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.equal(done.attempts, 1);
    const { events } = await readSse(`${t.baseUrl}/v1/jobs/${id}/events`, { Authorization: `Bearer ${key}` });
    assert.match(String(events.find((e) => e.event === 'retry')?.data.reason), /shut down/);
    assert.equal(events.filter((e) => e.event === 'started')[1]?.data.resumed, true);
  });

  test('a job that keeps failing ends failed with its error after the bounded number of attempts', async () => {
    for (const w of workers) await stop(w);
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-data-'));
    const w3 = startWorker(t, { NAS_DATA_DIR: empty, JOB_MAX_ATTEMPTS: '2' });
    workers.push(w3);
    const { data } = await client.POST('/v1/jobs', { body: { kind: 'nb201-search', spec: { algorithm: 'random', dataset: 'cifar10', queries: 50, seed: 1 } } });
    assert.ok(data);
    const done = await finished(data.id, 'job to fail', 60_000);
    assert.equal(done.status, 'failed');
    assert.equal(done.attempts, 2);
    assert.match(String((done.error as { message: string }).message), new RegExp(empty.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    fs.rmSync(empty, { recursive: true, force: true });
  });

  async function readCheckpointCount(id: string): Promise<number> {
    const rows: Array<{ n: string }> = await t.app.get(DataSource).query(`SELECT count(*) AS n FROM job_events WHERE job_id = $1 AND type = 'checkpoint'`, [id]);
    return Number(rows[0].n);
  }
});
