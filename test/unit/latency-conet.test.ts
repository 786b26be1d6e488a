// CONet latency targets (per-layer LUT): a tiny two-delta sweep with target {latency} measures every layer of its
// final networks on the trainer backend, gives each curve point a LUT latency, selects by it, and writes the table;
// a second run given that table measures nothing and predicts the same latencies (the cache).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config/config';
import { parseLatencyTable } from '../../src/search/spaces/cost';
import { conetTask } from '../../src/methods/conet/training/conet.task';
import type { ConetTaskInput } from '../../src/methods/conet/training/input';
import { selectBackend } from '../../src/trainer/engine/backend';
import { taskContext } from '../support/task-context';

const dataDir = loadConfig().dataDir;

describe('conet latency target (per-layer LUT, wasm)', () => {
  let root: string;
  before(async () => {
    process.env.TRAINER_BACKEND = 'wasm';
    await selectBackend({ force: 'wasm' });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'latency-conet-'));
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  test('sweep points get LUT latencies, the target selects by them, and a cached table is reused', async () => {
    const table = path.join(root, 'a', 'latency-table.json');
    const input = (over: Partial<ConetTaskInput>): ConetTaskInput => ({
      network: { kind: 'resnet', blocksPerStage: [1, 1, 1], stageChannels: [4, 6, 8] },
      dataset: { kind: 'builtin', name: 'mnist', dataDir },
      deltas: [-0.5, 0.5],
      epochsPerTrial: 2,
      maxTrials: 2,
      batchSize: 32,
      seed: 3,
      maxTrainImages: 64,
      retrain: false,
      lr: 0.05,
      exportModel: null,
      target: { metric: 'latency', value: 1e6 },
      ...over,
    });
    const first = await conetTask.run(taskContext(input({ exportLatencyTable: table }), path.join(root, 'a')).ctx);
    assert.ok(first.latency, 'latency block');
    assert.equal(first.latency.backend, 'wasm');
    assert.equal(first.latency.fromCache, false);
    assert.ok(first.latency.measuredNow > 0);
    assert.match(first.latency.provenance, /^LUT prediction/);
    for (const p of first.curve) assert.ok(typeof p.latencyMs === 'number' && p.latencyMs > 0, JSON.stringify(p));
    assert.deepEqual(first.curve.map((p) => p.latencyMs), first.latency.perRun);
    assert.equal(first.target?.metric, 'latency');
    assert.equal(first.target?.within, true);
    const stored = parseLatencyTable(JSON.parse(fs.readFileSync(table, 'utf8')));
    assert.equal(Object.keys(stored.entries).length, first.latency.entries);

    const second = await conetTask.run(taskContext(input({ latencyTableFile: table, exportLatencyTable: path.join(root, 'b', 'latency-table.json') }), path.join(root, 'b')).ctx);
    assert.equal(second.latency?.fromCache, true);
    assert.equal(second.latency?.measuredNow, 0);
    assert.deepEqual(second.latency?.perRun, first.latency.perRun, 'same sizes, same table: same predictions');
    assert.ok(!fs.existsSync(path.join(root, 'b', 'latency-table.json')), 'nothing new to store');
  });
});
