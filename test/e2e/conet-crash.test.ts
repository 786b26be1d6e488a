// A `conet` job survives kill -9 of its worker: the job is picked up again after its lease expires, resumes from the
// checkpoint written after a finished trial, and ends with the same trials, decisions and final network as an
// uninterrupted run of the same spec.
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DataSource } from 'typeorm';
import { createNasClient, NasClient } from '../../openapi/client';
import { startTestApp, TestApp } from '../support/harness';
import { readSse, waitFor } from '../support/sse';

const WORKER = path.resolve(__dirname, '../../src/worker.js');
type Json = Record<string, unknown>;

const spec = {
  network: { kind: 'resnet', blocksPerStage: [1, 1, 1], stageChannels: [4, 6, 8] },
  dataset: 'mnist',
  delta: 0.0075,
  epochsPerTrial: 2,
  maxTrials: 3,
  batchSize: 32,
  seed: 7,
  maxTrainImages: 128,
  retrain: false,
};

function startWorker(t: TestApp): ChildProcess {
  const child = spawn(process.execPath, [WORKER], {
    env: { ...process.env, DATABASE_URL: t.dbUrl, STORAGE_DIR: t.config.storageDir, JOB_LEASE_SECONDS: '2', JOB_HEARTBEAT_MS: '300', WORKER_CONCURRENCY: '1', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[worker ${child.pid}] ${d}`));
  return child;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => {
    child.once('exit', () => r());
    child.kill('SIGTERM');
  });
}

describe('conet: kill -9 of the worker mid-job', () => {
  let t: TestApp;
  let client: NasClient;
  let key: string;
  const workers: ChildProcess[] = [];

  before(async () => {
    t = await startTestApp({}, { worker: false });
    key = (await t.createTeam('conet-crash')).key;
    client = createNasClient(t.baseUrl, key);
  });
  after(async () => {
    for (const w of workers) await stop(w);
    await t?.close();
  });

  const job = async (id: string): Promise<Json> => (await client.GET('/v1/jobs/{id}', { params: { path: { id } } })).data as unknown as Json;
  const checkpoints = async (id: string): Promise<number> =>
    Number((await t.app.get(DataSource).query(`SELECT count(*) AS n FROM job_events WHERE job_id = $1 AND type = 'checkpoint'`, [id]))[0].n);
  const result = async (id: string): Promise<Json> => (await client.GET('/v1/jobs/{id}/result', { params: { path: { id } } })).data?.result as Json;
  const finished = (id: string): Promise<Json> =>
    waitFor(async () => {
      const j = await job(id);
      return ['succeeded', 'failed', 'cancelled'].includes(j.status as string) ? j : undefined;
    }, 240_000, `job ${id} to end`);

  test('resumes after the last finished trial and ends as the uninterrupted run', async () => {
    const w1 = startWorker(t);
    workers.push(w1);
    const { data } = await client.POST('/v1/jobs', { body: { kind: 'conet', spec } });
    assert.ok(data);
    const id = data.id;
    await waitFor(async () => ((await job(id)).status === 'running' && (await checkpoints(id)) > 0 ? true : undefined), 120_000, 'the checkpoint of trial 0');
    w1.kill('SIGKILL');
    await new Promise((r) => w1.once('exit', r));
    const w2 = startWorker(t);
    workers.push(w2);
    const done = await finished(id);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.equal(done.attempts, 2, JSON.stringify(done));
    const { events } = await readSse(`${t.baseUrl}/v1/jobs/${id}/events`, { Authorization: `Bearer ${key}` });
    const starts = events.filter((e) => e.event === 'started');
    assert.equal(starts.length, 2, JSON.stringify(events.map((e) => [e.event, e.data.reason ?? ''])));
    assert.equal(starts[1].data.resumed, true, JSON.stringify(starts));
    const r1 = await result(id);
    assert.ok((r1.resumedAfterSteps as number) >= 1, `resumed after ${String(r1.resumedAfterSteps)} trials`);

    const ref = await client.POST('/v1/jobs', { body: { kind: 'conet', spec } });
    assert.ok(ref.data);
    assert.equal((await finished(ref.data.id)).status, 'succeeded');
    const r2 = await result(ref.data.id);
    assert.equal(r2.resumedAfterSteps, null, 'the reference ran uninterrupted');
    const strip = (r: Json): unknown => (r.runs as Array<Json & { trials: Json[] }>).map((run) => ({ ...run, trials: run.trials.map((x) => ({ ...x, seconds: null })) }));
    assert.deepEqual(strip(r1), strip(r2));
    assert.deepEqual(r1.final, r2.final);
  });
});
