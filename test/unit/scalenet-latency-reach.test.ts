// Submission-time reach check of ScaleNet latency budgets (src/methods/scalenet/job/latency-reach.ts) against the
// team's cached latency tables: hand-made tables (every unit of the space costs `ms`), a fake read-only look-up.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import type { ArtifactInput, ArtifactLookup } from '../../src/artifacts/artifact-kinds';
import { InvalidInputError } from '../../src/common/errors';
import { LATENCY_TABLE_FORMAT, unitKey } from '../../src/search/spaces/cost';
import { LATENCY_PROBE_MARGIN, checkCachedLatencyReach, checkProbedLatencyReach, probeStageFastestMs } from '../../src/methods/scalenet/job/latency-reach';
import type { TrainerKindDeps } from '../../src/trainer/trainer-job';
import type { LatencyTableTaskInput } from '../../src/trainer/latency/handle';
import { latencySpaceId, pathLatencyMs, pathLatencyUnits, presetLatencyUnits, stageFastestMs, stageFastestPaths } from '../../src/methods/scalenet/science/latency';
import { extremeBases } from '../../src/methods/scalenet/science/problem';
import { SMALL_PRESET, scalingSpace } from '../../src/methods/scalenet/science/space';

const M = 1;
const space = scalingSpace(SMALL_PRESET, M);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scalenet-reach-'));

/** A table in which every unit of the space takes `ms`; written to a file, returned as an artefact view. */
function tableArtifact(id: string, ms: number, machine: string): ArtifactInput {
  const entries = Object.fromEntries(presetLatencyUnits(SMALL_PRESET, space).map((u) => [unitKey(u), ms]));
  const file = path.join(dir, `${id}.json`);
  const table = { format: LATENCY_TABLE_FORMAT, space: latencySpaceId(SMALL_PRESET, M), backend: 'wasm', threads: 1, inputShape: [32, 32, 3], machine, measurement: {}, builtAt: '2026-11-30T00:00:00Z', buildSeconds: 1, entries };
  fs.writeFileSync(file, JSON.stringify(table));
  return { id, kind: 'latency-table', mediaType: 'application/json', sha256: '0'.repeat(64), sizeBytes: 1, path: file, meta: {} };
}

function lookupOf(rows: ArtifactInput[], seen: Array<Record<string, unknown>> = []): ArtifactLookup {
  return {
    cached: async (kind, meta) => {
      assert.equal(kind, 'latency-table');
      seen.push(meta);
      return rows;
    },
  };
}

/** Fastest path latency of each stage in a table where every unit costs `ms`. */
function fastest(ms: number): number[] {
  const t = { space: 'x', entries: Object.fromEntries(presetLatencyUnits(SMALL_PRESET, space).map((u) => [unitKey(u), ms])) };
  return stageFastestMs(space, (p) => pathLatencyMs(t, SMALL_PRESET, p), extremeBases(SMALL_PRESET).min);
}

const req = (budgetsMs: number[]) => ({ preset: SMALL_PRESET, space, M, budgetsMs, field: 'spec.maxLatencyMs' });

const refused = (field: string, id: string, figure: number) => (e: unknown): boolean =>
  e instanceof InvalidInputError &&
  e.violations.some((v) => v.field === field && v.rule === 'reachable' && v.message.includes(figure.toFixed(3))) &&
  e.message.includes(id);

describe('ScaleNet latency budgets: reach check at submission against cached tables', () => {
  const slow = tableArtifact('slow', 2, 'slow machine');
  const fast = tableArtifact('fast', 1, 'fast machine');
  const [f0, f1] = fastest(1);

  test('looks up tables of the space on any machine (no host in the query) and the worker backend setting', async () => {
    const seen: Array<Record<string, unknown>> = [];
    await checkCachedLatencyReach(lookupOf([], seen), req([1, 2]));
    assert.equal(seen.length, 1);
    assert.equal(seen[0].space, latencySpaceId(SMALL_PRESET, M));
    assert.equal(seen[0].format, LATENCY_TABLE_FORMAT);
    assert.ok(!('host' in seen[0]), JSON.stringify(seen[0]));
  });

  test('no cached table: nothing to check against, reported as not checked', async () => {
    assert.equal(await checkCachedLatencyReach(lookupOf([]), req([1e-6, 2e-6])), false);
  });

  test('a budget within reach of the fastest path is accepted; just below it is refused naming the field and the table', async () => {
    assert.equal(await checkCachedLatencyReach(lookupOf([fast]), req([f0, f1])), true);
    await assert.rejects(checkCachedLatencyReach(lookupOf([fast]), req([f0 * 0.99, f1])), refused('spec.maxLatencyMs', 'fast', f0));
    await assert.rejects(checkCachedLatencyReach(lookupOf([fast]), req([f0, f1 * 0.99])), refused('spec.maxLatencyMs', 'fast', f1));
  });

  test('reachable on one measured machine is enough; refused on all names the most lenient table', async () => {
    await checkCachedLatencyReach(lookupOf([slow, fast]), req([f0, f1]));
    await assert.rejects(checkCachedLatencyReach(lookupOf([slow, fast]), req([f0 / 2, f1])), refused('spec.maxLatencyMs', 'fast', f0));
    await assert.rejects(checkCachedLatencyReach(lookupOf([slow]), req([f0, f1])), refused('spec.maxLatencyMs', 'slow', 2 * f0));
  });

  test('an unreadable table (deleted meanwhile, corrupt) is skipped, not an error', async () => {
    const gone = { ...fast, id: 'gone', path: path.join(dir, 'missing.json') };
    assert.equal(await checkCachedLatencyReach(lookupOf([gone]), req([1e-6, 2e-6])), false);
    await assert.rejects(checkCachedLatencyReach(lookupOf([gone, slow]), req([f0, f1])), refused('spec.maxLatencyMs', 'slow', 2 * f0));
  });

  test('probe: measures exactly the units of each stage\'s fastest path in the probe pool; no pool or a failure gives null', async () => {
    const calls: Array<{ task: string; input: LatencyTableTaskInput }> = [];
    const trainer = (ms: number | Error): TrainerKindDeps['trainer'] => ({
      run: async () => assert.fail('a probe must not use the training pool'),
      probe: async <I, O>(task: unknown, input: I): Promise<O> => {
        const i = input as unknown as LatencyTableTaskInput;
        calls.push({ task: String(task), input: i });
        if (ms instanceof Error) throw ms;
        const entries = Object.fromEntries(i.units.map((u) => [unitKey(u), ms]));
        fs.mkdirSync(path.dirname(i.file), { recursive: true });
        fs.writeFileSync(i.file, JSON.stringify({ format: LATENCY_TABLE_FORMAT, space: i.space, backend: 'wasm', threads: 1, inputShape: i.inputShape, machine: 'probe machine', measurement: {}, builtAt: 'now', buildSeconds: 1, entries }));
        return {} as O;
      },
    });
    const work = path.join(dir, 'probes');
    const got = await probeStageFastestMs(trainer(1), work, { preset: SMALL_PRESET, space, M });
    assert.ok(got);
    assert.deepEqual(got.fastestMs, [f0, f1]);
    assert.match(got.where, /probe on probe machine \(wasm\)/);
    assert.equal(calls.length, 1);
    assert.equal(calls[0].task, 'latency-table');
    const want = new Set(stageFastestPaths(space, extremeBases(SMALL_PRESET).min).flatMap((p) => pathLatencyUnits(SMALL_PRESET, p)).map(unitKey));
    assert.deepEqual(new Set(calls[0].input.units.map(unitKey)), want);
    assert.equal(calls[0].input.units.length, want.size, 'distinct units only');
    assert.deepEqual(fs.readdirSync(work), [], 'the probe folder is removed');
    assert.equal(await probeStageFastestMs(trainer(new Error('child crashed')), work, { preset: SMALL_PRESET, space, M }), null);
    assert.equal(await probeStageFastestMs({ run: trainer(1).run }, work, { preset: SMALL_PRESET, space, M }), null);
  });

  test('probe check: refuses only budgets below the margin x the probe\'s estimate, naming the estimate', () => {
    const probe = { fastestMs: [3, 6], where: 'of a probe on m (wasm)' };
    checkProbedLatencyReach({ budgetsMs: [3 * LATENCY_PROBE_MARGIN, 6 * LATENCY_PROBE_MARGIN], field: 'spec.maxLatencyMs' }, probe);
    assert.throws(() => checkProbedLatencyReach({ budgetsMs: [3 * LATENCY_PROBE_MARGIN * 0.99, 100], field: 'spec.maxLatencyMs' }, probe), refused('spec.maxLatencyMs', 'probe on m', 3));
    assert.throws(() => checkProbedLatencyReach({ budgetsMs: [100, 6 * LATENCY_PROBE_MARGIN * 0.99], field: 'spec.maxLatencyMs' }, probe), refused('spec.maxLatencyMs', 'probe on m', 6));
  });
});
