// CONet option weights: 'transplant' (Alg. 2 line 15, "Instantiate model with new channels"): the overlapping channels
// of every weight array are copied into the resized network, the rest keeps its fresh initialisation. Properties on
// random shapes (shrink then expand keeps the overlapping slice), on networks (a transplant at unchanged sizes computes
// the same logits; BN statistics travel too), and in trials (trial 2 starts from trial 1's weights; a run resumed
// from a checkpoint with the carried weights equals the uninterrupted one).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { parseArchStr } from '../../src/benchmarks/nb201/arch';
import { Rng } from '../../src/common/rng';
import { BatchStream, channelStats } from '../../src/datasets/pipeline';
import { ALG2_DEFAULTS } from '../../src/methods/conet/science/alg2';
import { transplantArray } from '../../src/methods/conet/science/transplant';
import { nb201Spec } from '../../src/methods/conet/training/nb201-preset';
import type { ConetNetwork, ConetNetworkSpec } from '../../src/methods/conet/training/network-spec';
import { resnetSpec } from '../../src/methods/conet/training/resnet-preset';
import { startSweep, sweepFromCheckpoint, sweepStep, sweepToCheckpoint, SweepContext, SweepState } from '../../src/methods/conet/training/sweep';
import { snapshotWeights, transplantInto } from '../../src/methods/conet/training/transplant';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/trainer/checkpoint-file';
import { selectBackend } from '../../src/trainer/engine/backend';

/** Row-major multi-index of flat position p in `shape`. */
function indexOf(p: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    out[k] = p % shape[k];
    p = Math.floor(p / shape[k]);
  }
  return out;
}
function flatOf(idx: readonly number[], shape: readonly number[]): number {
  return idx.reduce((a, i, k) => a * shape[k] + i, 0);
}
const count = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const randomArray = (rng: Rng, n: number): Float32Array => Float32Array.from({ length: n }, () => rng.next() * 2 - 1);

describe('transplantArray (science)', () => {
  test('property: shrink then expand keeps exactly the overlapping slice; the rest is the fresh initialisation', () => {
    const rng = Rng.fromSeed(17);
    for (let trial = 0; trial < 200; trial++) {
      const rank = 1 + rng.int(4);
      const a = Array.from({ length: rank }, () => 1 + rng.int(5));
      const b = a.map((n) => 1 + rng.int(n + 2)); // any size, often smaller
      const A = randomArray(rng, count(a));
      const freshB = randomArray(rng, count(b));
      const freshC = randomArray(rng, count(a));
      const B = transplantArray(A, a, freshB, b);
      const C = transplantArray(B.values, b, freshC, a);
      const overlap = a.map((n, k) => Math.min(n, b[k]));
      assert.equal(B.copied, count(overlap));
      assert.equal(C.copied, count(overlap));
      for (let p = 0; p < C.values.length; p++) {
        const idx = indexOf(p, a);
        const inside = idx.every((i, k) => i < overlap[k]);
        assert.equal(C.values[p], inside ? A[p] : freshC[p], `shapes ${a} -> ${b} -> ${a} at [${idx}]`);
      }
      for (let p = 0; p < B.values.length; p++) {
        const idx = indexOf(p, b);
        const inside = idx.every((i, k) => i < a[k]);
        assert.equal(B.values[p], inside ? A[flatOf(idx, a)] : freshB[p]);
      }
    }
  });

  test('equal shapes copy everything; rank or length mismatches are refused; the target array is not modified', () => {
    const rng = Rng.fromSeed(3);
    const s = [3, 3, 4, 5];
    const A = randomArray(rng, count(s));
    const fresh = randomArray(rng, count(s));
    const before = Float32Array.from(fresh);
    const r = transplantArray(A, s, fresh, s);
    assert.deepEqual(r.values, A);
    assert.equal(r.copied, A.length);
    assert.deepEqual(fresh, before);
    assert.throws(() => transplantArray(A, s, fresh, [9, 4, 5]), RangeError);
    assert.throws(() => transplantArray(A.subarray(1), s, fresh, s), RangeError);
  });
});

describe('transplant on networks (wasm)', () => {
  before(async () => {
    await selectBackend({ force: 'wasm' });
  });

  const resnet = resnetSpec({ blocksPerStage: [1, 1, 1], stageChannels: [4, 6, 8], inputShape: [8, 8, 3], numClasses: 3 });
  const nb201 = nb201Spec({ ops: parseArchStr('|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|nor_conv_3x3~0|avg_pool_3x3~1|skip_connect~2|')!, channels: 4, cellsPerStage: 1, inputShape: [8, 8, 3], numClasses: 3 });

  /** Non-trivial parameters and BN running statistics (as after training): every variable perturbed. */
  function perturbed(spec: ConetNetworkSpec, sizes: ReadonlyMap<number, number>, seed: number): ConetNetwork {
    const net = spec.build(sizes, seed);
    const rng = Rng.fromSeed(seed + 100);
    for (const { variable } of [...net.params, ...net.buffers]) {
      const v = variable.dataSync();
      const isVar = /runVar$/.test(variable.name);
      const next = Float32Array.from(v, (x) => (isVar ? 0.5 + rng.next() : x + 0.3 * (rng.next() - 0.5)));
      tf.tidy(() => variable.assign(tf.tensor(next, variable.shape, 'float32')));
    }
    return net;
  }

  for (const [name, spec] of [['ResNet', resnet], ['NB201', nb201]] as const) {
    test(`${name}: a transplanted network at unchanged sizes computes the same logits (eval and training mode)`, () => {
      const a = perturbed(spec, spec.initialSizes, 1);
      const b = spec.build(spec.initialSizes, 2);
      try {
        const n = transplantInto(b, snapshotWeights(a));
        assert.equal(n.copied, n.total);
        const x = tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
        for (const training of [false, true]) {
          const la = tf.tidy(() => a.forward(x, training, false).arraySync());
          const lb = tf.tidy(() => b.forward(x, training, false).arraySync());
          assert.deepEqual(lb, la, `training=${training}`);
        }
        // a fresh network differs (the test can fail)
        const c = spec.build(spec.initialSizes, 2);
        try {
          const lc = tf.tidy(() => c.forward(x, false).arraySync());
          assert.notDeepEqual(lc, tf.tidy(() => a.forward(x, false).arraySync()));
        } finally {
          c.dispose();
        }
        x.dispose();
      } finally {
        a.dispose();
        b.dispose();
      }
    });

    test(`${name}: shrink then expand keeps every variable's overlapping slice (BN statistics included), new channels fresh`, () => {
      const sizes = spec.initialSizes;
      const groups = [...sizes.keys()];
      const small = new Map([...sizes].map(([g, c], i) => [g, i % 2 === 0 ? Math.max(1, c - 2) : c + 1]));
      const a = perturbed(spec, sizes, 1);
      const b = spec.build(small, 2);
      const c = spec.build(sizes, 3);
      const fresh = spec.build(sizes, 3);
      try {
        transplantInto(b, snapshotWeights(a));
        const count2 = transplantInto(c, snapshotWeights(b));
        assert.ok(count2.copied > 0 && count2.copied < count2.total);
        assert.ok(groups.length > 1);
        const A = snapshotWeights(a);
        const B = snapshotWeights(b);
        const C = snapshotWeights(c);
        const F = snapshotWeights(fresh);
        let checkedBn = 0;
        for (const [v, ca] of Object.entries(C)) {
          const sa = A[v].shape;
          const sb = B[v].shape;
          const overlap = sa.map((n, k) => Math.min(n, sb[k]));
          if (/runMean|runVar/.test(v)) checkedBn++;
          for (let p = 0; p < ca.values.length; p++) {
            const idx = indexOf(p, ca.shape);
            const inside = idx.every((i, k) => i < overlap[k]);
            assert.equal(ca.values[p], inside ? A[v].values[p] : F[v].values[p], `${v} at [${idx}]`);
          }
        }
        assert.ok(checkedBn > 0, 'BN running statistics are transplanted');
      } finally {
        for (const n of [a, b, c, fresh]) n.dispose();
      }
    });
  }

  test('trials: trial 2 starts from trial 1 (transplanted), restart does not; resuming from a checkpoint with the carried weights equals running on', async () => {
    const rng = Rng.fromSeed(5);
    const images = Uint8Array.from({ length: 32 * 8 * 8 * 3 }, () => Math.floor(rng.next() * 256));
    const labels = Uint8Array.from({ length: 32 }, (_, i) => i % 3);
    const data = { count: 32, height: 8, width: 8, channels: 3, images, labels };
    const idx = Array.from({ length: 32 }, (_, i) => i);
    const train = new BatchStream(data, { indices: idx, batchSize: 16, seed: 3, stats: channelStats(data, idx) });
    const alg2 = { ...ALG2_DEFAULTS, maxTrials: 3, delta: 0.01, mu: 1e9 };
    const search = { epochs: 2, lr: 0.05, momentum: 0.9, weightDecay: 5e-4, seed: 11, alg2 };
    const ctxOf = (weights: 'restart' | 'transplant'): SweepContext => ({ spec: resnet, train, test: null, search: { ...search, weights }, retrain: null, flops: () => 0 });
    const run = async (s: SweepState, ctx: SweepContext, steps: number): Promise<SweepState> => {
      for (let i = 0; i < steps; i++) s = await sweepStep(s, ctx);
      return s;
    };
    const t = ctxOf('transplant');
    const straight = await run(startSweep(resnet, [0.01], alg2), t, 3);
    const trials = straight.runs[0].trials;
    assert.equal(trials[0].transplanted, null, 'the first trial starts fresh');
    assert.ok(trials[1].transplanted && trials[1].transplanted.copied > 0 && trials[1].transplanted.copied <= trials[1].transplanted.total);
    assert.equal(straight.runs[0].carried, null, 'no weights kept once the search stopped');
    const restart = await run(startSweep(resnet, [0.01], alg2), ctxOf('restart'), 2);
    assert.equal(restart.runs[0].trials[1].transplanted, null);
    assert.equal(restart.runs[0].carried ?? null, null);
    assert.deepEqual(restart.runs[0].trials[0].epochs, trials[0].epochs, 'the first trial is the same either way');
    assert.notDeepEqual(restart.runs[0].trials[1].epochs, trials[1].epochs);

    // checkpoint after trial 1 (JSON + typed arrays through the checkpoint container), resume, run on
    const one = await run(startSweep(resnet, [0.01], alg2), t, 1);
    assert.ok(one.runs[0].carried, 'the weights of trial 1 are carried');
    const c = sweepToCheckpoint(one);
    const bytes = encodeCheckpoint({ meta: { state: c.json }, arrays: c.arrays });
    const back = decodeCheckpoint(Buffer.from(bytes));
    const resumedState = sweepFromCheckpoint(back.meta.state as ReturnType<typeof sweepToCheckpoint>['json'], back.arrays);
    const resumed = await run(resumedState, t, 2);
    const strip = (s: SweepState): unknown => s.runs.map((r) => ({ ...r, trials: r.trials.map((x) => ({ ...x, seconds: null })) }));
    assert.deepEqual(strip(resumed), strip(straight));
    // a checkpoint whose arrays do not fit is refused (the task treats it as corrupt)
    const bad = { ...c.arrays };
    delete bad[Object.keys(bad)[0]];
    assert.throws(() => sweepFromCheckpoint(c.json, bad));
  });
});
