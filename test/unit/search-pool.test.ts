import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { InvalidInputError } from '../../src/common/errors';
import { loadConfig } from '../../src/config/config';
import type { PoolMessage } from '../../src/search/pool/protocol';
import { SearchPoolService } from '../../src/search/pool/search-pool.service';
import type { Nb201SearchInput } from '../../src/methods/nb201-search/science/types';

describe('SearchPoolService (Piscina)', () => {
  const config = loadConfig();
  const pool = new SearchPoolService({ ...config, piscinaThreads: 1 });
  after(() => pool.onApplicationShutdown());

  const input = (queries: number): Nb201SearchInput => ({ algorithm: 'random', dataset: 'cifar10', queries, seed: 3, dataDir: config.dataDir });

  test('runs a task in a worker thread and relays its progress and checkpoints', async () => {
    const messages: PoolMessage[] = [];
    const result = await pool.run<Nb201SearchInput, { queriesUsed: number }>('nb201-search', input(200), {
      checkpoint: null,
      signal: new AbortController().signal,
      onMessage: (m) => messages.push(m),
    });
    assert.equal(result.queriesUsed, 200);
    assert.ok(messages.some((m) => m.type === 'progress'));
    assert.ok(messages.filter((m) => m.type === 'checkpoint').length >= 5);
  });

  test('aborting the signal stops the running task within seconds and the pool keeps working', async () => {
    const ac = new AbortController();
    let abortedAt = 0;
    const started = Date.now();
    const run = pool.run('nb201-search', input(15_625), {
      checkpoint: null,
      signal: ac.signal,
      onMessage: (m) => {
        // abort as soon as the task is demonstrably running: at its first checkpoint (10% of the space)
        if (m.type === 'checkpoint' && !abortedAt) {
          abortedAt = Date.now();
          ac.abort();
        }
      },
    });
    await assert.rejects(run, (e: Error) => e.name === 'AbortError');
    assert.ok(abortedAt > 0, 'the task was running when it was aborted');
    assert.ok(Date.now() - abortedAt < 2000, `stopped ${Date.now() - abortedAt} ms after the abort`);
    assert.ok(Date.now() - started < 60_000);
    const again = await pool.run<Nb201SearchInput, { queriesUsed: number }>('nb201-search', input(50), {
      checkpoint: null,
      signal: new AbortController().signal,
      onMessage: () => undefined,
    });
    assert.equal(again.queriesUsed, 50);
  });

  test('a DomainError thrown in the thread comes back as the same class (the job fails without retrying)', async () => {
    const impossible = { ...input(10), constraints: { maxFlopsM: 0.001 } };
    await assert.rejects(
      pool.run('nb201-search', impossible, { checkpoint: null, signal: new AbortController().signal, onMessage: () => undefined }),
      (e: Error) => e instanceof InvalidInputError && /maxFlopsM/.test(JSON.stringify((e as InvalidInputError).violations) + e.message),
    );
  });

  test('an unknown task is an error, not a hang', async () => {
    await assert.rejects(pool.run('no-such-task', {}, { checkpoint: null, signal: new AbortController().signal, onMessage: () => undefined }), /unknown pool task/);
  });
});
