import 'reflect-metadata';
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Team } from '../../src/auth/team.entity';
import { loadNb201Table } from '../../src/benchmarks/nb201/load';
import type { Nb201Table } from '../../src/benchmarks/nb201/types';
import { InvalidInputError } from '../../src/common/errors';
import { flattenValidationErrors } from '../../src/common/validation';
import { loadConfig } from '../../src/config/config';
import type { JobContext } from '../../src/jobs/job-kind';
import { createNb201SearchKind } from '../../src/methods/nb201-search/job/nb201-search.kind';
import { Nb201SearchSpec } from '../../src/methods/nb201-search/job/nb201-search.spec';
import { nb201SearchTask } from '../../src/methods/nb201-search/runner/pool-task';
import { NB201_EVOLUTION_DEFAULTS, resolveAlgorithmConfig } from '../../src/methods/nb201-search/science/params';
import type { Nb201SearchInput, Nb201SearchResult } from '../../src/methods/nb201-search/science/types';
import type { PoolMessage } from '../../src/search/pool/protocol';

const dataDir = loadConfig().dataDir;
let table: Nb201Table;
before(() => {
  table = loadNb201Table(path.join(dataDir, 'nasbench201'));
});
const team = { id: '00000000-0000-0000-0000-000000000001', name: 't' } as Team;

/** The job service's spec check: plainToInstance + validate with whitelist/forbidNonWhitelisted. */
async function specViolations(spec: Record<string, unknown>): Promise<string[]> {
  const inst = plainToInstance(Nb201SearchSpec, spec);
  const errors = await validate(inst as object, { whitelist: true, forbidNonWhitelisted: true });
  return flattenValidationErrors(errors, 'spec').map((v) => `${v.field}:${v.rule}`);
}

async function validateFields(kind: ReturnType<typeof createNb201SearchKind>, spec: Record<string, unknown>): Promise<string[]> {
  try {
    await kind.validate?.(plainToInstance(Nb201SearchSpec, spec), team);
  } catch (e) {
    assert.ok(e instanceof InvalidInputError, String(e));
    return e.violations.map((v) => v.field);
  }
  return [];
}

function fakeContext(spec: Nb201SearchSpec, checkpoint: unknown | null = null): JobContext<Nb201SearchSpec, unknown> & { saved: unknown[] } {
  const saved: unknown[] = [];
  return {
    jobId: 'j',
    teamId: team.id,
    spec,
    checkpoint,
    attempt: 1,
    signal: new AbortController().signal,
    progress: async () => undefined,
    saveCheckpoint: async (c: unknown) => {
      saved.push(c);
    },
    saved,
  };
}

describe('nb201-search job kind', () => {
  test('evolution defaults are the setting bench:nb201-evolution-tuning selected (committed JSON); S is capped at P', () => {
    const tuning = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../benchmarks/results/nb201-evolution-tuning.json'), 'utf8')) as { chosen: { populationSize: number; sampleSize: number } };
    assert.deepEqual({ ...NB201_EVOLUTION_DEFAULTS }, tuning.chosen);
    const base = { algorithm: 'evolution', dataset: 'cifar10', queries: 10, seed: 0 } as const;
    assert.deepEqual(resolveAlgorithmConfig(base), { name: 'evolution', populationSize: 30, sampleSize: 15 });
    assert.deepEqual(resolveAlgorithmConfig({ ...base, populationSize: 8 }), { name: 'evolution', populationSize: 8, sampleSize: 8 });
    assert.deepEqual(resolveAlgorithmConfig({ ...base, sampleSize: 4 }), { name: 'evolution', populationSize: 30, sampleSize: 4 });
  });

  test('the spec DTO accepts a full spec and names every bad field', async () => {
    const ok = { algorithm: 'evolution', dataset: 'cifar10', queries: 300, seed: 1, populationSize: 20, sampleSize: 5, constraints: { maxFlopsM: 100, maxLatencyMs: 10, device: 'pixel3' } };
    assert.deepEqual(await specViolations(ok), []);
    assert.deepEqual(await specViolations({ algorithm: 'local', dataset: 'ImageNet16-120', queries: 1, seed: 0, improvement: 'first', searchEpochs: 12 }), []);
    assert.deepEqual(await specViolations({ ...ok, extra: 1 }), ['spec.extra:whitelistValidation']);
    assert.deepEqual(await specViolations({ ...ok, queries: 0 }), ['spec.queries:min']);
    assert.deepEqual(await specViolations({ ...ok, queries: 15626 }), ['spec.queries:max']);
    assert.deepEqual(await specViolations({ ...ok, queries: 2.5 }), ['spec.queries:isInt']);
    assert.deepEqual(await specViolations({ ...ok, seed: -1 }), ['spec.seed:min']);
    assert.deepEqual(await specViolations({ ...ok, dataset: 'mnist' }), ['spec.dataset:isIn']);
    assert.deepEqual(await specViolations({ ...ok, algorithm: 'bayes' }), ['spec.algorithm:isIn']);
    assert.deepEqual(await specViolations({ ...ok, searchEpochs: 100 }), ['spec.searchEpochs:isIn']);
    assert.deepEqual(await specViolations({ ...ok, constraints: { maxFlopsM: -3 } }), ['spec.constraints.maxFlopsM:isPositive']);
    assert.deepEqual(await specViolations({ ...ok, constraints: { maxLatencyMs: 10 } }), ['spec.constraints.device:deviceName']);
    assert.deepEqual(await specViolations({ ...ok, constraints: { device: '' } }), ['spec.constraints.device:deviceName']);
    assert.deepEqual(await specViolations({ ...ok, constraints: { device: 'pixel3' } }), []);
    assert.deepEqual(await specViolations({ ...ok, constraints: { maxFlops: 10 } }), ['spec.constraints.maxFlops:whitelistValidation']);
  });

  test('validate() rejects unknown devices, unsatisfiable constraints and misplaced hyper-parameters naming the field', async () => {
    const kind = createNb201SearchKind({ runPool: async () => assert.fail('not run'), dataDir, knownDevices: () => ['pixel3', 'raspi4'], table: () => table });
    const base = { algorithm: 'random', dataset: 'cifar10', queries: 10, seed: 1 };
    assert.deepEqual(await validateFields(kind, base), []);
    assert.deepEqual(await validateFields(kind, { ...base, constraints: { maxLatencyMs: 10, device: 'pixel3' } }), []);
    // a HELP device that this deployment does not offer
    assert.deepEqual(await validateFields(kind, { ...base, constraints: { maxLatencyMs: 10, device: 'fpga' } }), ['spec.constraints.device']);
    assert.deepEqual(await validateFields(kind, { ...base, constraints: { maxFlopsM: 7 } }), ['spec.constraints.maxFlopsM']);
    assert.deepEqual(await validateFields(kind, { ...base, dataset: 'ImageNet16-120', constraints: { maxFlopsM: 1.9 } }), ['spec.constraints.maxFlopsM']);
    assert.deepEqual(await validateFields(kind, { ...base, constraints: { maxLatencyMs: 0.001, device: 'raspi4' } }), ['spec.constraints.maxLatencyMs']);
    assert.deepEqual(await validateFields(kind, { ...base, populationSize: 10 }), ['spec.populationSize']);
    assert.deepEqual(await validateFields(kind, { ...base, algorithm: 'evolution', populationSize: 4, sampleSize: 5 }), ['spec.sampleSize']);
    assert.deepEqual(await validateFields(kind, { ...base, algorithm: 'evolution', improvement: 'first' }), ['spec.improvement']);
    // the default device list is the table's
    const byTable = createNb201SearchKind({ runPool: async () => assert.fail('not run'), dataDir, table: () => table });
    assert.deepEqual(await validateFields(byTable, { ...base, constraints: { maxLatencyMs: 10, device: 'fpga' } }), []);
    assert.deepEqual(await validateFields(byTable, { ...base, constraints: { maxLatencyMs: 10, device: 'toaster' } }), ['spec.constraints.device']);
  });

  test('run() hands a plain, cloneable input to the pool task "nb201-search" and returns its result', async () => {
    const calls: Array<{ task: string; input: unknown }> = [];
    const kind = createNb201SearchKind({
      dataDir,
      runPool: async <I, O>(task: string, input: I): Promise<O> => {
        calls.push({ task, input: structuredClone(input) });
        return { ok: true } as O;
      },
    });
    const spec = plainToInstance(Nb201SearchSpec, { algorithm: 'local', dataset: 'cifar100', queries: 50, seed: 4, constraints: { maxFlopsM: 90 } });
    const out = await kind.run(fakeContext(spec));
    assert.deepEqual(out, { ok: true });
    assert.deepEqual(calls, [{ task: 'nb201-search', input: { algorithm: 'local', dataset: 'cifar100', queries: 50, seed: 4, constraints: { maxFlopsM: 90 }, dataDir } }]);
  });

  test('end to end through a pool stand-in: checkpoints reach the job context and a resumed job gives the same result', async () => {
    // What run-in-pool.ts does, minus the worker thread: call the task, forward checkpoints to the context.
    const runPool = async <I, O>(task: string, input: I, ctx: JobContext<unknown, unknown>): Promise<O> => {
      assert.equal(task, 'nb201-search');
      const emit = (m: PoolMessage): void => {
        if (m.type === 'checkpoint') void ctx.saveCheckpoint(structuredClone(m.state));
      };
      return (await nb201SearchTask(input as Nb201SearchInput, ctx.checkpoint, emit)) as O;
    };
    const kind = createNb201SearchKind({ runPool, dataDir, table: () => table });
    const spec = plainToInstance(Nb201SearchSpec, { algorithm: 'evolution', dataset: 'cifar10', queries: 300, seed: 9, constraints: { maxParamsM: 0.6 } });
    await kind.validate?.(spec, team);
    const ctx = fakeContext(spec);
    const full: Nb201SearchResult = await kind.run(ctx);
    assert.equal(ctx.saved.length, 9);
    assert.equal(full.evaluation, 'NAS-Bench-201 table lookup (no training)');
    assert.ok(full.bestRecord.paramsM <= 0.6);
    const resumed = await kind.run(fakeContext(spec, ctx.saved[5]));
    assert.deepEqual(resumed, full);
  });
});
