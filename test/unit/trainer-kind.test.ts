// The `dataset-baseline` job kind against its JobContext contract: spec validation, dataset references,
// progress/checkpoint plumbing into the context, resume from the checkpoint recorded by an earlier attempt.
// The context here records calls in memory; the job runner + PostgreSQL path is covered by the e2e tests.
import assert from 'node:assert/strict';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { InvalidInputError, NotFoundError } from '../../src/common/errors';
import { flattenValidationErrors } from '../../src/common/validation';
import { loadConfig } from '../../src/config/config';
import type { JobContext } from '../../src/jobs/job-kind';
import type { JobProgress } from '../../src/jobs/job.entity';
import { DatasetBaselineCheckpoint, StoredDatasetInfo, createDatasetBaselineKind } from '../../src/methods/dataset-baseline/job/dataset-baseline.kind';
import { DatasetBaselineSpec } from '../../src/methods/dataset-baseline/job/dataset-baseline-spec.dto';
import { TrainerAbortedError } from '../../src/trainer/errors';
import { TrainerSupervisor } from '../../src/trainer/supervisor';

async function violations(plain: Record<string, unknown>): Promise<string[]> {
  const errs = await validate(plainToInstance(DatasetBaselineSpec, plain), { whitelist: true, forbidNonWhitelisted: true });
  return flattenValidationErrors(errs, 'spec').map((v) => `${v.field}:${v.rule}`);
}

interface Recorder {
  ctx: JobContext<DatasetBaselineSpec, DatasetBaselineCheckpoint>;
  progress: Array<JobProgress & { data?: Record<string, unknown> }>;
  checkpoints: DatasetBaselineCheckpoint[];
}

function context(jobId: string, spec: DatasetBaselineSpec, checkpoint: DatasetBaselineCheckpoint | null, signal: AbortSignal, onCheckpoint?: (c: DatasetBaselineCheckpoint) => void): Recorder {
  const rec: Recorder = {
    progress: [],
    checkpoints: [],
    ctx: {
      jobId,
      teamId: '00000000-0000-4000-8000-000000000001',
      spec,
      checkpoint,
      attempt: checkpoint ? 2 : 1,
      signal,
      progress: async (p) => {
        rec.progress.push(p);
      },
      saveCheckpoint: async (c) => {
        rec.checkpoints.push(c);
        onCheckpoint?.(c);
      },
    },
  };
  return rec;
}

describe('dataset-baseline job kind', () => {
  let storageDir: string;
  let sup: TrainerSupervisor;
  const resolved: string[] = [];
  const spec: DatasetBaselineSpec = { dataset: 'mnist', epochs: 1, batchSize: 64, lr: 0.003, seed: 3 };
  const never = new AbortController().signal;
  let kind: ReturnType<typeof createDatasetBaselineKind>;

  before(() => {
    storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainer-kind-'));
    sup = new TrainerSupervisor();
    kind = createDatasetBaselineKind({
      trainer: sup,
      storageDir,
      dataDir: loadConfig().dataDir,
      resolveDataset: async (team, ref): Promise<StoredDatasetInfo> => {
        resolved.push(`${team.id}/${ref}`);
        throw new NotFoundError(`dataset ${ref} not found`);
      },
    });
  });
  after(async () => {
    await sup.close();
    fs.rmSync(storageDir, { recursive: true, force: true });
  });

  test('spec DTO: bounds of every field are enforced and named', async () => {
    assert.deepEqual(await violations({ ...spec }), []);
    assert.deepEqual(await violations({ ...spec, epochs: 0 }), ['spec.epochs:min']);
    assert.deepEqual(await violations({ ...spec, epochs: 51 }), ['spec.epochs:max']);
    assert.deepEqual(await violations({ ...spec, epochs: 1.5 }), ['spec.epochs:isInt']);
    assert.deepEqual(await violations({ ...spec, batchSize: 4097 }), ['spec.batchSize:max']);
    assert.deepEqual(await violations({ ...spec, lr: 0 }), ['spec.lr:isPositive']);
    assert.deepEqual(await violations({ ...spec, lr: 10.5 }), ['spec.lr:max']);
    assert.deepEqual(await violations({ ...spec, seed: -1 }), ['spec.seed:min']);
    assert.deepEqual(await violations({ ...spec, dataset: '' }), ['spec.dataset:minLength']);
    assert.deepEqual(await violations({ ...spec, extra: 1 }), ['spec.extra:whitelistValidation']);
    const missing = await violations({});
    for (const f of ['dataset', 'epochs', 'batchSize', 'lr', 'seed']) assert.ok(missing.some((v) => v.startsWith(`spec.${f}:`)), `${f} is required`);
  });

  test('validate: builtin names pass without the resolver; other refs must be dataset ids of the team', async () => {
    const team = { id: 'team-1' };
    await kind.validate?.({ ...spec, dataset: 'cifar10-subset' }, team as never);
    assert.deepEqual(resolved, []);
    await assert.rejects(kind.validate!({ ...spec, dataset: 'imagenet' }, team as never), (e: unknown) => {
      assert.ok(e instanceof InvalidInputError);
      assert.equal(e.violations[0].field, 'spec.dataset');
      return true;
    });
    const id = '3f0b8a52-6a43-4f7e-9d0c-0a1b2c3d4e5f';
    await assert.rejects(kind.validate!({ ...spec, dataset: id }, team as never), NotFoundError);
    assert.deepEqual(resolved, [`team-1/${id}`]);
    assert.equal(kind.datasetId?.({ ...spec, dataset: id }), id);
    assert.equal(kind.datasetId?.(spec), null);
  });

  test('run: trains in a child, reports progress (phase train) and records checkpoints in the context; onTerminal cleans up', async () => {
    const jobId = 'job-a';
    const rec = context(jobId, spec, null, never);
    const result = await kind.run(rec.ctx);
    assert.ok(result.testAccuracy > 0.8, `accuracy ${result.testAccuracy}`);
    assert.ok(rec.progress.length > 3);
    assert.ok(rec.progress.every((p) => p.phase === 'train' && p.fraction >= 0 && p.fraction <= 1 && typeof p.data?.step === 'number'));
    assert.ok(rec.checkpoints.length >= 1, 'at least the epoch-end checkpoint');
    const last = rec.checkpoints[rec.checkpoints.length - 1];
    assert.deepEqual({ step: last.step, epoch: last.epoch }, { step: result.steps, epoch: 1 });
    assert.equal(path.dirname(last.path), path.join(storageDir, 'checkpoints', jobId));
    assert.ok(fs.existsSync(last.path), 'the checkpoint stays until the job has ended');
    await kind.onTerminal?.(jobId, 'succeeded');
    assert.equal(fs.existsSync(path.join(storageDir, 'checkpoints', jobId)), false, 'checkpoint folder removed once the job has ended');
  });

  test('run: a second attempt resumes from ctx.checkpoint (written by the first) and matches an uninterrupted run', async () => {
    const s2 = { ...spec, epochs: 2 };
    const ref = await kind.run(context('job-ref', s2, null, never).ctx);
    const ac = new AbortController();
    const first = context('job-b', s2, null, ac.signal, (c) => c.step >= 50 && ac.abort());
    await assert.rejects(kind.run(first.ctx), TrainerAbortedError);
    const saved = first.checkpoints.find((c) => c.step >= 50);
    assert.ok(saved && fs.existsSync(saved.path));
    const second = context('job-b', s2, first.checkpoints[first.checkpoints.length - 1], never);
    const r = await kind.run(second.ctx);
    assert.equal(r.resumedFromStep, first.checkpoints[first.checkpoints.length - 1].step);
    assert.equal(r.weightsSha256, ref.weightsSha256);
    assert.equal(r.testAccuracy, ref.testAccuracy);
  });
});
