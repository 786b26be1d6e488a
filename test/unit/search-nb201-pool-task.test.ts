import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInputError } from '../../src/common/errors';
import { loadConfig } from '../../src/config/config';
import { CHECKPOINTS_PER_RUN, PROGRESS_INTERVAL_MS, nb201SearchTask } from '../../src/methods/nb201-search/runner/pool-task';
import type { Nb201SearchInput, Nb201SearchResult } from '../../src/methods/nb201-search/science/types';
import type { PoolMessage } from '../../src/search/pool/protocol';

const dataDir = loadConfig().dataDir;

async function runTask(input: Nb201SearchInput, checkpoint: unknown | null = null): Promise<{ result: Nb201SearchResult; messages: PoolMessage[] }> {
  const messages: PoolMessage[] = [];
  // messages cross a MessagePort in the pool: keep only what survives structured cloning
  const result = await nb201SearchTask(input, checkpoint, (m) => messages.push(structuredClone(m)));
  return { result: structuredClone(result), messages };
}

const checkpoints = (ms: PoolMessage[]): unknown[] => ms.filter((m): m is Extract<PoolMessage, { type: 'checkpoint' }> => m.type === 'checkpoint').map((m) => m.state);
const progress = (ms: PoolMessage[]): Array<Extract<PoolMessage, { type: 'progress' }>> => ms.filter((m): m is Extract<PoolMessage, { type: 'progress' }> => m.type === 'progress');

describe('nb201-search pool task', () => {
  test('emits a checkpoint every 10% of the budget and throttled progress ending at 1', async () => {
    await runTask({ dataDir, algorithm: 'random', dataset: 'cifar10', queries: 1, seed: 0 }); // table loaded
    const t0 = Date.now();
    const { result, messages } = await runTask({ dataDir, algorithm: 'evolution', dataset: 'cifar10', queries: 500, seed: 3 });
    const elapsed = Date.now() - t0;
    assert.equal(result.queriesUsed, 500);
    const cps = checkpoints(messages) as Array<{ search: { queries: number } }>;
    assert.equal(cps.length, CHECKPOINTS_PER_RUN - 1);
    assert.deepEqual(cps.map((c) => c.search.queries), [50, 100, 150, 200, 250, 300, 350, 400, 450]);
    const ps = progress(messages);
    // loading + start + done, and at most one search message per PROGRESS_INTERVAL_MS
    assert.ok(ps.length >= 3 && ps.length <= 3 + Math.ceil(elapsed / PROGRESS_INTERVAL_MS) + 1, `${ps.length} progress messages in ${elapsed} ms`);
    for (let i = 1; i < ps.length; i++) assert.ok(ps[i].fraction >= ps[i - 1].fraction);
    assert.equal(ps[ps.length - 1].fraction, 1);
    assert.equal(ps[ps.length - 1].phase, 'done');
    assert.deepEqual(Object.keys(ps[ps.length - 1].data ?? {}).sort(), ['best', 'queries']);
  });

  for (const algorithm of ['random', 'evolution', 'local'] as const) {
    test(`${algorithm}: resuming from any checkpoint gives exactly the uninterrupted result`, async () => {
      const input: Nb201SearchInput = { dataDir, algorithm, dataset: 'cifar100', queries: 400, seed: 21, constraints: { maxLatencyMs: 12, device: 'pixel3' } };
      const full = await runTask(input);
      const cps = checkpoints(full.messages);
      assert.equal(cps.length, 9);
      for (const cp of [cps[0], cps[4], cps[8]]) {
        const resumed = await runTask(input, JSON.parse(JSON.stringify(cp)));
        assert.deepEqual(resumed.result, full.result);
        assert.match(progress(resumed.messages)[1].message, /resumed from checkpoint/);
        // the resumed run continues checkpointing from where it was
        const first = (checkpoints(resumed.messages)[0] as { search: { queries: number } } | undefined)?.search.queries;
        assert.ok(first === undefined || first > (cp as { search: { queries: number } }).search.queries);
      }
    });
  }

  test('a checkpoint of another run (other seed) or garbage is ignored: fresh start, same result as without', async () => {
    const input: Nb201SearchInput = { dataDir, algorithm: 'local', dataset: 'ImageNet16-120', queries: 100, seed: 1 };
    const other = await runTask({ ...input, seed: 2 });
    const fresh = await runTask(input);
    for (const cp of [checkpoints(other.messages)[3], { kind: 'something' }, 42]) {
      const r = await runTask(input, cp);
      assert.deepEqual(r.result, fresh.result);
      assert.match(progress(r.messages)[1].message, /started local search/);
    }
  });

  test('invalid input is an InvalidInputError naming the field', async () => {
    await assert.rejects(runTask({ dataDir, algorithm: 'random', dataset: 'cifar10', queries: 0, seed: 1 }), (e: unknown) => e instanceof InvalidInputError && e.violations[0].field === 'queries');
    await assert.rejects(
      runTask({ dataDir, algorithm: 'random', dataset: 'cifar10', queries: 10, seed: 1, constraints: { maxFlopsM: 1 } }),
      (e: unknown) => e instanceof InvalidInputError && e.violations[0].field === 'constraints.maxFlopsM',
    );
  });
});
