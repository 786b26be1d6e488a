// `dataset-baseline` jobs through the real API, job runner, PostgreSQL and trainer child processes.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DataSource } from 'typeorm';
import { TrainerService } from '../../src/trainer/trainer.service';
import { startTestApp, TestApp } from '../support/harness';
import { waitFor } from '../support/sse';

type Json = Record<string, unknown>;

describe('dataset-baseline jobs (real API, worker, PostgreSQL, trainer processes)', () => {
  let t: TestApp;
  let key: string;

  before(async () => {
    t = await startTestApp({ heartbeatMs: 200 });
    key = (await t.createTeam('trainer-team')).key;
  });
  after(async () => t?.close());

  async function call(method: string, url: string, body?: unknown): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${t.baseUrl}${url}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
  }

  const submit = (spec: Json): Promise<{ status: number; body: Json }> => call('POST', '/v1/jobs', { kind: 'dataset-baseline', spec });

  async function finished(id: string): Promise<Json> {
    return waitFor(
      async () => {
        const j = (await call('GET', `/v1/jobs/${id}`)).body;
        return ['succeeded', 'failed', 'cancelled'].includes(j.status as string) ? j : undefined;
      },
      90_000,
      `job ${id} to finish`,
    );
  }

  test('the kind is listed', async () => {
    const kinds = (await call('GET', '/v1/jobs/kinds')).body as unknown as Array<{ kind: string; summary: string }>;
    const k = kinds.find((x) => x.kind === 'dataset-baseline');
    assert.ok(k, JSON.stringify(kinds));
    assert.match(k.summary, /not a NAS result/);
  });

  test('bad specs are 400 problems naming the field and rule', async () => {
    const base = { dataset: 'mnist', epochs: 2, batchSize: 64, lr: 0.003, seed: 1 };
    const cases: Array<[Json, string]> = [
      [{ ...base, epochs: 0 }, 'spec.epochs'],
      [{ ...base, lr: 0 }, 'spec.lr'],
      [{ ...base, batchSize: 5000 }, 'spec.batchSize'],
      [{ ...base, dataset: 'imagenet' }, 'spec.dataset'],
      [{ ...base, dataset: '3f0b8a52-6a43-4f7e-9d0c-0a1b2c3d4e5f' }, 'spec.dataset'],
    ];
    for (const [spec, field] of cases) {
      const r = await submit(spec);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      const errors = r.body.errors as Array<{ field: string; rule: string }>;
      assert.ok(errors.some((e) => e.field === field && e.rule), `${field} named in ${JSON.stringify(r.body)}`);
    }
  });

  test('an MNIST baseline job succeeds with the measured result; progress and a checkpoint were recorded', async () => {
    const r = await submit({ dataset: 'mnist', epochs: 2, batchSize: 64, lr: 0.003, seed: 1 });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const job = await finished(r.body.id as string);
    assert.equal(job.status, 'succeeded', JSON.stringify(job.error));
    const result = (await call('GET', `/v1/jobs/${job.id}/result`)).body.result as Json;
    assert.equal(result.model, 'linear softmax baseline on raw pixels (not a NAS result)');
    assert.ok((result.testAccuracy as number) > 0.8, `accuracy ${result.testAccuracy}`); // see trainer-linear-baseline.test.ts
    assert.equal(result.trainImages, 3009);
    assert.equal((result.trainLoss as number[]).length, 2);
    const events: unknown = await t.app.get(DataSource).query(`SELECT type FROM job_events WHERE job_id = $1 ORDER BY id`, [job.id]);
    const types = (events as Array<{ type: string }>).map((e) => e.type);
    assert.ok(types.includes('checkpoint'), types.join(','));
    assert.ok(types.includes('progress'), types.join(','));
    assert.equal(fs.existsSync(path.join(t.config.storageDir, 'checkpoints', job.id as string)), false, 'checkpoints removed after success');
  });

  test('cancelling a running job stops the trainer child within seconds', async () => {
    const r = await submit({ dataset: 'cifar10-subset', epochs: 50, batchSize: 32, lr: 0.001, seed: 1 });
    assert.equal(r.status, 202);
    const id = r.body.id as string;
    const trainer = t.app.get(TrainerService);
    await waitFor(async () => ((await call('GET', `/v1/jobs/${id}`)).body.status === 'running' && trainer.supervisor.liveChildren > 0 ? true : undefined), 60_000, 'training to start');
    const asked = Date.now();
    assert.equal((await call('POST', `/v1/jobs/${id}/cancel`)).status, 202);
    const job = await finished(id);
    assert.equal(job.status, 'cancelled');
    await waitFor(async () => (trainer.supervisor.liveChildren === 0 ? true : undefined), 5_000, 'trainer child to exit');
    const took = Date.now() - asked;
    assert.ok(took < 5000, `cancel took ${took} ms (heartbeat 200 ms + cancel at the next step boundary)`);
  });
});
