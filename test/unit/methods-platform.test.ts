// The method platform (issue 14): the one method list feeds all three tables; task handles; the resumable-task
// helper's fingerprint, resume and corrupt-checkpoint fallback; one source of limits for the spec DTOs and the task
// parsers; the trainer-kind factory's checkpoint folder and dataset handling. No database, no child processes.
import assert from 'node:assert/strict';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { InvalidInputError, UnprocessableError } from '../../src/common/errors';
import { flattenValidationErrors } from '../../src/common/validation';
import type { JobContext, JobKindDefinition } from '../../src/jobs/job-kind';
import { DATASET_BASELINE_LIMITS } from '../../src/methods/dataset-baseline/job/limits';
import { parseLinearBaselineInput } from '../../src/methods/dataset-baseline/training/input';
import type { MethodDeps } from '../../src/methods/method';
import { METHODS, methodPoolTasks, methodTrainerTasks, registerMethodKinds } from '../../src/methods/registry';
import { SE_NAS_LIMITS } from '../../src/methods/se-nas/job/limits';
import { SeNasNb201Spec } from '../../src/methods/se-nas/job/one-shot-spec.dto';
import { parseOneShotInput } from '../../src/methods/se-nas/training/input';
import { checkpointFileName, writeFileAtomic } from '../../src/trainer/checkpoint-file';
import { ResumableTask, fingerprintOf } from '../../src/trainer/resumable';
import type { TrainerCheckpoint } from '../../src/trainer/trainer-job';
import { createTrainerKind } from '../../src/trainer/trainer-kind';
import { taskHandle } from '../../src/common/task-handle';
import type { TrainerKindDeps } from '../../src/trainer/trainer-job';
import type { TrainerRunOptions } from '../../src/trainer/supervisor';
import { DatasetBaselineSpec } from '../../src/methods/dataset-baseline/job/dataset-baseline-spec.dto';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'methods-platform-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const fakeDeps = (over: Partial<MethodDeps> = {}): MethodDeps => ({
  runPool: async () => assert.fail('not run'),
  trainer: { run: async () => assert.fail('not run') },
  storageDir: tmp,
  dataDir: tmp,
  resolveDataset: async () => assert.fail('not resolved'),
  archStrOfIndex: async () => assert.fail('no table'),
  ...over,
});

describe('the method list (src/methods/registry.ts)', () => {
  test('feeds the job-kind registry with every kind, the trainer table and the pool table with every task', async () => {
    const kinds: string[] = [];
    await registerMethodKinds(fakeDeps(), (def) => kinds.push(def.kind));
    assert.deepEqual(kinds.sort(), ['dataset-baseline', 'nb201-search', 'nb201-train', 'nss-elite-space', 'nss-search', 'se-nas-nb201', 'spos-nb201']);
    assert.deepEqual((await methodTrainerTasks()).map((t) => t.name).sort(), ['linear-baseline', 'nb201-one-shot', 'nb201-train', 'nss-arch-search', 'nss-elite-space']);
    assert.deepEqual((await methodPoolTasks()).map((t) => t.name), ['nb201-search']);
    assert.deepEqual(METHODS.map((m) => m.name), ['nb201-search', 'nb201-train', 'dataset-baseline', 'se-nas', 'nss']);
  });
});

describe('ResumableTask', () => {
  interface St { step: number }
  const fp = fingerprintOf({ seed: 1, arch: '|a|', sizes: [1, 2] });
  const write = async (name: string, data: Uint8Array): Promise<string> => {
    const file = path.join(tmp, name, checkpointFileName(3));
    await writeFileAtomic(file, data);
    return file;
  };

  test('fingerprintOf keeps scalars and compares nested values through their JSON', () => {
    assert.deepEqual(fp, { seed: 1, arch: '|a|', sizes: '[1,2]' });
  });

  test('no checkpoint: a fresh start, no note', () => {
    const notes: string[] = [];
    assert.equal(new ResumableTask<St>('t/1', fp).resume(null, notes, () => assert.fail('no restore')), null);
    assert.deepEqual(notes, []);
  });

  test('same format and fingerprint: resumes with the state and hands the arrays to restore', async () => {
    const task = new ResumableTask<St>('t/1', fp);
    const file = await write('same', task.encode({ step: 3 }, { w: new Float32Array([1, 2]) }));
    let got: number[] = [];
    const st = task.resume({ path: file, step: 3, epoch: 0 }, [], (r) => (got = [...r.arrays.w]));
    assert.deepEqual(st, { step: 3 });
    assert.deepEqual(got, [1, 2]);
  });

  test('another fingerprint is refused with a 422 naming the field', async () => {
    const file = await write('other', new ResumableTask<St>('t/1', fingerprintOf({ seed: 2, arch: '|a|', sizes: [1, 2] })).encode({ step: 3 }, {}));
    assert.throws(() => new ResumableTask<St>('t/1', fp).resume({ path: file, step: 3, epoch: 0 }, [], () => undefined), (e: unknown) => e instanceof UnprocessableError && /seed=2, this run has seed=1/.test(e.message));
  });

  test('a corrupt file, another format, or arrays that do not fit: a note, reset, and a fresh start', async () => {
    const task = new ResumableTask<St>('t/1', fp);
    const garbage = await write('garbage', new Uint8Array([1, 2, 3]));
    const otherFormat = await write('format', new ResumableTask<St>('t/2', fp).encode({ step: 3 }, {}));
    const good = await write('good', task.encode({ step: 3 }, {}));
    for (const [file, restore, why] of [
      [garbage, () => undefined, /not a checkpoint file/],
      [otherFormat, () => undefined, /format t\/2, expected t\/1/],
      [good, () => { throw new RangeError('array w has 3 values, the model 2'); }, /array w has 3 values/],
    ] as const) {
      const notes: string[] = [];
      let resets = 0;
      assert.equal(task.resume({ path: file, step: 3, epoch: 0 }, notes, restore, () => resets++), null);
      assert.equal(resets, 1);
      assert.equal(notes.length, 1);
      assert.match(notes[0], /^checkpoint unusable \(.*\); trained from step 0$/);
      assert.match(notes[0], why);
    }
  });
});

describe('one source of limits', () => {
  const dtoRules = async (cls: new () => object, plain: Record<string, unknown>): Promise<string[]> =>
    flattenValidationErrors(await validate(plainToInstance(cls, plain), { whitelist: true, forbidNonWhitelisted: true }), 'spec').map((v) => `${v.field}:${v.rule}`);
  const parserFields = (parse: () => unknown): string[] => {
    try {
      parse();
      return [];
    } catch (e) {
      assert.ok(e instanceof InvalidInputError);
      return e.violations.map((v) => v.field);
    }
  };
  const se = { dataset: 'mnist', C: 4, N: 1, batchSize: 8, seed: 1, epochsPerStage: 1 };
  const seTask = { method: 'se-nas', dataset: { kind: 'builtin', name: 'mnist', dataDir: tmp }, C: 4, N: 1, batchSize: 8, seed: 1, epochsPerStage: 1, stages: 1 };

  test('SE-NAS k: the DTO and the task parser accept and refuse the same values (1..24)', async () => {
    assert.deepEqual([SE_NAS_LIMITS.k.min, SE_NAS_LIMITS.k.max], [1, 24]);
    for (const k of [0, 1, 24, 25]) {
      const dto = (await dtoRules(SeNasNb201Spec, { ...se, stages: 1, k })).some((r) => r.startsWith('spec.k:'));
      const parser = parserFields(() => parseOneShotInput({ ...seTask, k })).includes('input.k');
      assert.equal(dto, k < 1 || k > 24, `DTO k=${k}`);
      assert.equal(parser, dto, `parser and DTO disagree at k=${k}`);
    }
  });

  test('SE-NAS stages x k <= 24 is refused by the task parser too', () => {
    assert.deepEqual(parserFields(() => parseOneShotInput({ ...seTask, stages: 3, k: 9 })), ['input.k']);
    assert.deepEqual(parserFields(() => parseOneShotInput({ ...seTask, stages: 3, k: 8 })), []);
  });

  test('SE-NAS defaults: the parser applies the limits defaults', () => {
    const p = parseOneShotInput({ ...seTask, stages: undefined });
    assert.deepEqual([p.stages, p.k, p.T, p.samplesPerStage, p.snapshots], [2, 10, 9, 100, 5]);
  });

  test('dataset-baseline epochs: 1..50 in the DTO and in the task parser', async () => {
    assert.equal(DATASET_BASELINE_LIMITS.epochs.max, 50);
    const base = { dataset: 'mnist', epochs: 1, batchSize: 8, lr: 0.1, seed: 1 };
    for (const epochs of [0, 1, 50, 51]) {
      const dto = (await dtoRules(DatasetBaselineSpec, { ...base, epochs })).some((r) => r.startsWith('spec.epochs:'));
      const parser = parserFields(() => parseLinearBaselineInput({ ...base, dataset: { kind: 'builtin', name: 'mnist', dataDir: tmp }, epochs })).includes('input.epochs');
      assert.equal(parser, dto, `epochs=${epochs}`);
      assert.equal(dto, epochs < 1 || epochs > 50);
    }
  });
});

describe('createTrainerKind', () => {
  interface Spec { dataset: string; n: number }
  const HANDLE = taskHandle<{ n: number; dataset: string }, { doubled: number }>('double');
  const ctxOf = (jobId: string, spec: Spec): JobContext<Spec, TrainerCheckpoint> => ({
    jobId, teamId: 'team', spec, checkpoint: { path: '/ck/step.ckpt', step: 4, epoch: 1 }, attempt: 2, signal: new AbortController().signal,
    progress: async () => undefined, saveCheckpoint: async () => undefined,
  });
  const make = (over: Partial<TrainerKindDeps>, datasets?: 'builtin-only'): { kind: JobKindDefinition<Spec, { doubled: number }, TrainerCheckpoint>; calls: unknown[]; resolved: string[] } => {
    const calls: unknown[] = [];
    const resolved: string[] = [];
    const kind = createTrainerKind<Spec, { n: number; dataset: string }, { doubled: number }>(
      {
        trainer: { run: async <I, O>(task: string, input: I, opts: TrainerRunOptions): Promise<O> => { calls.push({ task, input, dir: opts.checkpointDir, resumeFrom: opts.resumeFrom }); return { doubled: 2 } as O; } },
        storageDir: tmp,
        dataDir: '/data',
        resolveDataset: async (team, ref) => { resolved.push(ref); return { id: ref, name: 'up', format: 'mnist-idx', storagePath: 'd/x', files: {} }; },
        ...over,
      },
      { kind: 'double', summary: 's', specClass: class {} as new () => Spec, task: HANDLE, phase: 'train', ...(datasets ? { datasets } : {}), input: (spec, ds) => ({ n: spec.n, dataset: ds.name }) },
    );
    return { kind, calls, resolved };
  };

  test('run: the task by its handle, the dataset resolved once, checkpoints in <storageDir>/checkpoints/<jobId>, resumed from the job checkpoint; onTerminal removes the folder', async () => {
    const { kind, calls, resolved } = make({});
    const id = '3f0b8a52-6a43-4f7e-9d0c-0a1b2c3d4e5f';
    assert.deepEqual(await kind.run(ctxOf('job-1', { dataset: id, n: 3 })), { doubled: 2 });
    assert.deepEqual(resolved, [id]);
    const dir = path.join(tmp, 'checkpoints', 'job-1');
    assert.deepEqual(calls, [{ task: 'double', input: { n: 3, dataset: 'up' }, dir, resumeFrom: '/ck/step.ckpt' }]);
    assert.equal(kind.datasetId?.({ dataset: id, n: 1 }), id);
    assert.equal(kind.datasetId?.({ dataset: 'mnist', n: 1 }), null);
    fs.mkdirSync(dir, { recursive: true });
    await kind.onTerminal?.('job-1', 'succeeded');
    assert.equal(fs.existsSync(dir), false);
  });

  test('builtin-only: an uploaded dataset id is a 422 naming spec.dataset, and the resolver is never asked', async () => {
    const { kind, resolved } = make({}, 'builtin-only');
    await assert.rejects(kind.validate!({ dataset: '3f0b8a52-6a43-4f7e-9d0c-0a1b2c3d4e5f', n: 1 }, { id: 'team' } as never), (e: unknown) => e instanceof UnprocessableError && e.violations[0].field === 'spec.dataset');
    assert.deepEqual(resolved, []);
    assert.equal(kind.datasetId?.({ dataset: '3f0b8a52-6a43-4f7e-9d0c-0a1b2c3d4e5f', n: 1 }), null);
  });
});
