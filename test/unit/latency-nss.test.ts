// NSS latency (per-residual-block LUT) on a synthetic table over a small custom space: the unit enumeration covers every
// network and has the counted size; the per-stage decomposition equals the sum over a network's units; RelaxedFlops
// with the LUT's StageCostModel gives, at a one-hot Theta, the exact mean latency of that network space (so the relaxed
// L_lat is exact at the sampled space), and its gradient matches finite differences; latencyRange and the Table 1
// enumeration agree with brute force; a latency target out of reach is a 422 naming the field.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UnprocessableError } from '../../src/common/errors';
import { Rng } from '../../src/common/rng';
import { LatencyTable, unitKey } from '../../src/search/spaces/cost';
import { RelaxedFlops, oneHot } from '../../src/methods/nss/science/flops-loss';
import {
  archLatencyMs,
  archLatencyUnits,
  checkLatencyTableSize,
  checkLatencyTarget,
  firstBlockUnit,
  laterBlockUnit,
  latencyCostModel,
  latencyRange,
  latencySamplesToMeet,
  spaceLatencyUnitCount,
  spaceLatencyUnits,
} from '../../src/methods/nss/science/latency';
import { ExpandedSearchSpace, NetworkSpace, NssArch, expandedSearchSpace, sampleArch, spaceOf, wholeSpace } from '../../src/methods/nss/science/space';

const S: ExpandedSearchSpace = { ...expandedSearchSpace('small', [16, 16, 3], 10), dMax: 2, wMax: 4, depthsPerSpace: 1, widthsPerSpace: 2, name: 'custom' };

/** A deterministic pseudo-latency per key (not monotone in anything: the identities must hold for any table). */
function syntheticTable(s: ExpandedSearchSpace): LatencyTable {
  const entries: Record<string, number> = {};
  for (const u of spaceLatencyUnits(s)) {
    const k = unitKey(u);
    let h = 7;
    for (let i = 0; i < k.length; i++) h = (h * 31 + k.charCodeAt(i)) % 100_003;
    entries[k] = 0.05 + (h % 1000) / 500;
  }
  return { format: 'latency-table/1', space: 'synthetic', backend: 'none', threads: null, inputShape: s.inputShape, machine: 'test', measurement: { warmup: 0, runs: 1, statistic: 'median', batchSize: 1, timer: 'none' }, builtAt: '', buildSeconds: 0, entries };
}

function allArchs(sp: NetworkSpace): NssArch[] {
  const out: NssArch[] = [];
  const r = (x: [number, number]): number[] => Array.from({ length: x[1] - x[0] + 1 }, (_, k) => x[0] + k);
  for (const d1 of r(sp.depths[0])) for (const d2 of r(sp.depths[1])) for (const d3 of r(sp.depths[2]))
    for (const w1 of r(sp.widths[0])) for (const w2 of r(sp.widths[1])) for (const w3 of r(sp.widths[2])) out.push({ depths: [d1, d2, d3], widths: [w1, w2, w3] });
  return out;
}

describe('NSS latency LUT (synthetic table)', () => {
  const table = syntheticTable(S);
  const model = latencyCostModel(table, S);
  /** A network's latency from the per-stage cost model: stem + FC + each stage given its input width. */
  const stageSum = (cm: ReturnType<typeof latencyCostModel>, a: NssArch): number => {
    let m = cm.stem + cm.fc(a.widths[2]);
    let prev = S.stemWidth;
    for (let i = 0; i < 3; i++) {
      m += cm.stage(i, a.depths[i], prev, a.widths[i]);
      prev = a.widths[i];
    }
    return m;
  };
  const archs = allArchs(wholeSpace(S));

  test('the unit enumeration has the counted size and covers every network', () => {
    assert.equal(spaceLatencyUnits(S).length, spaceLatencyUnitCount(S));
    assert.equal(new Set(spaceLatencyUnits(S).map(unitKey)).size, spaceLatencyUnitCount(S));
    for (const a of archs) archLatencyMs(table, S, a); // throws on a missing key
    assert.equal(archLatencyUnits(S, { depths: [2, 1, 2], widths: [3, 3, 1] }).length, 1 + 5 + 1);
  });

  test('residual-block keys are pinned: projection only where the stride or the width changes', () => {
    const small = expandedSearchSpace('small', [32, 32, 3], 10);
    assert.equal(unitKey(firstBlockUnit(small, 0, 16, 16)), 'resblock@16x32x32>16,s1,p0');
    assert.equal(unitKey(firstBlockUnit(small, 0, 16, 8)), 'resblock@16x32x32>8,s1,p1');
    assert.equal(unitKey(firstBlockUnit(small, 1, 8, 8)), 'resblock@8x32x32>8,s2,p1');
    assert.equal(unitKey(laterBlockUnit(small, 2, 12)), 'resblock@12x8x8>12,s1,p0');
  });

  test('with a fixed per-run cost (overheadMs, some entries below it) the per-stage sums still equal archLatencyMs', () => {
    const entries = Object.values(table.entries).sort((x, y) => x - y);
    const withOverhead = { ...table, overheadMs: entries[Math.floor(entries.length / 10)] };
    const m2 = latencyCostModel(withOverhead, S);
    for (const a of archs) {
      const m = stageSum(m2, a);
      const direct = archLatencyMs(withOverhead, S, a);
      assert.ok(Math.abs(m - direct) < 1e-9, `${JSON.stringify(a)}: model ${m} vs units ${direct}`);
      assert.ok(direct >= withOverhead.overheadMs);
    }
  });

  test('per-stage sums equal the sum over the units of every network', () => {
    for (const a of archs) {
      const m = stageSum(model, a);
      assert.ok(Math.abs(m - archLatencyMs(table, S, a)) < 1e-9, JSON.stringify(a));
    }
  });

  test('relaxed latency at a one-hot Theta is the exact mean latency of that space; its gradient matches finite differences', () => {
    const rl = new RelaxedFlops(S, model);
    const choice = { depth: [1, 0, 1], width: [0, 1, 1] };
    const sp = spaceOf(S, choice);
    const members = allArchs(sp);
    const mean = members.reduce((acc, a) => acc + archLatencyMs(table, S, a), 0) / members.length;
    assert.ok(Math.abs(rl.value(oneHot(S, choice)) - mean) < 1e-9);
    const y = { depth: [[0.3, 0.7], [0.6, 0.4], [0.5, 0.5]], width: [[0.2, 0.8], [0.9, 0.1], [0.4, 0.6]] };
    const g = rl.gradient(y);
    const eps = 1e-6;
    const bumped = JSON.parse(JSON.stringify(y)) as typeof y;
    bumped.width[1][0] += eps;
    assert.ok(Math.abs((rl.value(bumped) - rl.value(y)) / eps - g.width[1][0]) < 1e-4);
  });

  test('latencyRange and the Table 1 enumeration agree with brute force', () => {
    const lats = archs.map((a) => archLatencyMs(table, S, a));
    const [lo, hi] = latencyRange(table, S);
    assert.ok(Math.abs(lo - Math.min(...lats)) < 1e-9 && Math.abs(hi - Math.max(...lats)) < 1e-9);
    const target = lats[Math.floor(lats.length / 3)];
    const t1 = latencySamplesToMeet(S, wholeSpace(S), model, target);
    assert.ok(t1);
    assert.equal(t1.archs, archs.length);
    assert.equal(t1.within, lats.filter((l) => l >= target * 0.9 && l <= target * 1.1).length);
    assert.ok(Math.abs(t1.mean - lats.reduce((a, b) => a + b, 0) / lats.length) < 1e-9);
    const a = sampleArch(wholeSpace(S), Rng.fromSeed(1));
    assert.ok(archLatencyMs(table, S, a) >= lo);
  });

  test('out-of-reach targets and oversized tables are 422 naming the field', () => {
    const [lo, hi] = latencyRange(table, S);
    checkLatencyTarget(lo, [lo, hi], 'spec.targetLatencyMs');
    const named = (e: unknown): boolean => e instanceof UnprocessableError && e.violations.some((v) => v.field === 'spec.targetLatencyMs');
    assert.throws(() => checkLatencyTarget(lo / 1.2, [lo, hi], 'spec.targetLatencyMs'), named);
    assert.throws(() => checkLatencyTarget(hi / 0.85, [lo, hi], 'spec.targetLatencyMs'), named);
    assert.throws(() => checkLatencyTableSize(expandedSearchSpace('paper', [32, 32, 3], 10), 'spec.targetLatencyMs'), named);
    checkLatencyTableSize(expandedSearchSpace('small', [32, 32, 3], 10), 'spec.targetLatencyMs');
  });
});
