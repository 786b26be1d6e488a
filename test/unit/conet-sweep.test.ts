// CONet δ sweep (src/methods/conet/training/sweep): one search per δ, one unit of work per step (resumable from JSON),
// retrain of each final configuration, the trade-off curve and the target choice. A δ below every slope expands every
// group, a δ above every slope shrinks every group (Alg. 2), so the params order is known.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { BatchStream, channelStats } from '../../src/datasets/pipeline';
import { ALG2_DEFAULTS } from '../../src/methods/conet/science/alg2';
import { resnetCost, resnetLayout, resnetSpec } from '../../src/methods/conet/training/resnet-preset';
import { SweepContext, SweepState, finalSizes, startSweep, sweepDone, sweepStep, sweepSummary } from '../../src/methods/conet/training/sweep';
import { Rng } from '../../src/common/rng';
import { selectBackend } from '../../src/trainer/engine/backend';

const preset = { blocksPerStage: [1, 1, 1] as [number, number, number], stageChannels: [4, 8, 8] as [number, number, number], inputShape: [8, 8, 3] as [number, number, number], numClasses: 2 };

describe('CONet delta sweep (wasm)', () => {
  before(async () => {
    await selectBackend({ force: 'wasm' });
  });

  test('searches, retrains, curve and target; a resumed sweep equals an uninterrupted one', async () => {
    const rng = Rng.fromSeed(3);
    const images = Uint8Array.from({ length: 32 * 64 * 3 }, () => Math.floor(rng.next() * 256));
    const labels = Uint8Array.from({ length: 32 }, (_, i) => i % 2);
    const data = { count: 32, height: 8, width: 8, channels: 3, images, labels };
    const idx = Array.from({ length: 32 }, (_, i) => i);
    const stats = channelStats(data, idx);
    const spec = resnetSpec(preset);
    const layout = resnetLayout(preset);
    const alg2 = { ...ALG2_DEFAULTS, maxTrials: 1, mu: 1e12 };
    const ctx: SweepContext = {
      spec,
      train: new BatchStream(data, { indices: idx, batchSize: 16, seed: 1, stats }),
      test: new BatchStream(data, { indices: idx, batchSize: 16, seed: 1, stats, shuffle: false }),
      search: { epochs: 2, lr: 0.05, momentum: 0.9, weightDecay: 0, seed: 5, alg2 },
      retrain: { epochs: 1, lr: 0.05, momentum: 0.9, weightDecay: 0, seed: 6 },
      flops: (sizes) => resnetCost(layout, preset, sizes).macs,
    };
    // slopes lie in [-1, 1]: delta -2 expands everything, delta 2 shrinks everything
    let s: SweepState = startSweep(spec, [2, -2], alg2);
    let steps = 0;
    let resumedAt: SweepState | null = null;
    while (!sweepDone(s, ctx)) {
      s = await sweepStep(s, ctx);
      steps++;
      if (steps === 1) resumedAt = JSON.parse(JSON.stringify(s)) as SweepState;
    }
    assert.equal(steps, 4, '2 searches of 1 trial + 2 retrains');
    const start = spec.paramCount(spec.initialSizes);
    const [shrunk, grown] = s.runs.map((r) => spec.paramCount(finalSizes(r)));
    assert.ok(shrunk < start && grown > start, `${shrunk} < ${start} < ${grown}`);
    assert.ok(s.retrained.every((r) => r !== null && r.testImages === 32));
    const summary = sweepSummary(s, ctx, { metric: 'params', value: start });
    assert.deepEqual(summary.curve.map((p) => p.delta), [-2, 2]);
    assert.equal(summary.best!.point.delta, 2, 'only the shrunk network is within the starting params');
    assert.equal(summary.curve[1].flops, ctx.flops(finalSizes(s.runs[0])));
    let r = resumedAt!;
    while (!sweepDone(r, ctx)) r = await sweepStep(r, ctx);
    const strip = (x: SweepState): unknown => ({ ...x, runs: x.runs.map((run) => ({ ...run, trials: run.trials.map((t) => ({ ...t, seconds: null })) })) });
    assert.deepEqual(strip(r), strip(s));
    await assert.rejects(sweepStep(s, ctx), RangeError);
  });
});
