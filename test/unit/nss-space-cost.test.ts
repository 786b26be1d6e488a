// NSS Expanded Search Space and exact costs: presets, range tiling, hand-computed layer costs, the per-stage
// decomposition, exact space statistics (SpaceFlops) against brute-force enumeration, and the Table 1 counts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidInputError } from '../../src/common/errors';
import { Rng } from '../../src/common/rng';
import {
  ExpandedSearchSpace,
  NssArch,
  NetworkSpace,
  SpaceFlops,
  archCount,
  archFlops,
  closestOfN,
  expandedSearchSpace,
  networkCost,
  networkLayers,
  sampleArch,
  sampleUntilWithin,
  samplesToMeet,
  spaceCount,
  spaceOf,
  stageResolutions,
  wholeSpace,
} from '../../src/methods/nss/science';

/** A tiny custom space: d_max 4 (2 depth ranges of 2), w_max 6 (2 width ranges of 3), 7x7 inputs. */
const TINY: ExpandedSearchSpace = { name: 'custom', dMax: 4, wMax: 6, depthsPerSpace: 2, widthsPerSpace: 3, inputShape: [7, 7, 3], numClasses: 5, stemWidth: 16 };

function allArchs(space: NetworkSpace): NssArch[] {
  const out: NssArch[] = [];
  const r = (x: [number, number]): number[] => Array.from({ length: x[1] - x[0] + 1 }, (_, k) => x[0] + k);
  for (const d1 of r(space.depths[0])) for (const d2 of r(space.depths[1])) for (const d3 of r(space.depths[2]))
    for (const w1 of r(space.widths[0])) for (const w2 of r(space.widths[1])) for (const w3 of r(space.widths[2])) out.push({ depths: [d1, d2, d3], widths: [w1, w2, w3] });
  return out;
}

describe('NSS Expanded Search Space', () => {
  test('presets: the paper has 2^18 network spaces of 4 depths x 32 widths per stage; small has 512', () => {
    const paper = expandedSearchSpace('paper', [32, 32, 3], 10);
    assert.equal(spaceCount(paper), 2 ** 18);
    assert.equal(archCount(wholeSpace(paper)), (16 * 512) ** 3);
    assert.deepEqual(spaceOf(paper, { depth: [0, 1, 3], width: [0, 5, 15] }), { depths: [[1, 4], [5, 8], [13, 16]], widths: [[1, 32], [161, 192], [481, 512]] });
    const small = expandedSearchSpace('small', [32, 32, 3], 10);
    assert.equal(spaceCount(small), 512);
    assert.equal(archCount(spaceOf(small, { depth: [0, 0, 1], width: [3, 2, 1] })), (2 * 8) ** 3);
    assert.equal(archCount(wholeSpace(small)), 2_097_152);
  });

  test('bad preset, shape or range index is rejected naming the field', () => {
    assert.throws(() => expandedSearchSpace('huge' as 'paper', [32, 32, 3], 10), (e: unknown) => e instanceof InvalidInputError && e.violations[0].field === 'preset');
    assert.throws(() => expandedSearchSpace('small', [32, 32, 3], 1), (e: unknown) => e instanceof InvalidInputError && e.violations[0].field === 'numClasses');
    assert.throws(() => expandedSearchSpace({ name: 'small', dMax: 4, wMax: 32, depthsPerSpace: 3, widthsPerSpace: 8 }, [32, 32, 3], 10), (e: unknown) => e instanceof InvalidInputError && e.violations[0].field === 'depthsPerSpace');
    assert.throws(() => spaceOf(TINY, { depth: [0, 2, 0], width: [0, 0, 0] }), RangeError);
  });

  test('uniform arch sampling stays in the space and reaches every depth and width of it', () => {
    const space = spaceOf(TINY, { depth: [1, 0, 1], width: [0, 1, 1] });
    const rng = Rng.fromSeed(3);
    const seen = new Set<string>();
    for (let k = 0; k < 4000; k++) {
      const a = sampleArch(space, rng);
      a.depths.forEach((d, i) => assert.ok(d >= space.depths[i][0] && d <= space.depths[i][1]));
      a.widths.forEach((w, i) => assert.ok(w >= space.widths[i][0] && w <= space.widths[i][1]));
      seen.add(JSON.stringify(a));
    }
    assert.equal(seen.size, archCount(space));
  });
});

describe('NSS exact cost', () => {
  test('layers of a hand-computed network (8x8x3 input, depths [2,1,1], widths [16,8,4], 10 classes)', () => {
    const s: ExpandedSearchSpace = { ...TINY, wMax: 18, inputShape: [8, 8, 3], numClasses: 10 };
    const arch = { depths: [2, 1, 1], widths: [16, 8, 4] };
    const layers = networkLayers(s, arch);
    assert.deepEqual(
      layers.map((l) => [l.name, l.macs, l.params]),
      [
        ['stem', 9 * 3 * 16 * 64, 432],
        ['s1.b1.conv1', 9 * 16 * 16 * 64, 2304], // w1 = w0 = 16, stride 1: identity shortcut, no projection
        ['s1.b1.conv2', 147456, 2304],
        ['s1.b2.conv1', 147456, 2304],
        ['s1.b2.conv2', 147456, 2304],
        ['s2.b1.conv1', 9 * 16 * 8 * 16, 1152], // stride 2: 4x4
        ['s2.b1.conv2', 9 * 8 * 8 * 16, 576],
        ['s2.b1.proj', 16 * 8 * 16, 128],
        ['s3.b1.conv1', 9 * 8 * 4 * 4, 288], // 2x2
        ['s3.b1.conv2', 9 * 4 * 4 * 4, 144],
        ['s3.b1.proj', 8 * 4 * 4, 32],
        ['fc', 40, 50],
      ],
    );
    const c = networkCost(s, arch);
    assert.equal(c.flops, 27648 + 4 * 147456 + 18432 + 9216 + 2048 + 1152 + 576 + 128 + 40);
    assert.equal(c.params, 432 + 4 * 2304 + 1152 + 576 + 128 + 288 + 144 + 32 + 50);
    assert.equal(c.bnParams, 2 * 16 + 4 * 2 * 16 + 3 * 2 * 8 + 3 * 2 * 4);
  });

  test('stage 1 gets a projection exactly when w1 != 16; odd sizes round up under stride 2', () => {
    assert.ok(networkLayers(TINY, { depths: [1, 1, 1], widths: [6, 6, 6] }).some((l) => l.name === 's1.b1.proj'));
    assert.ok(!networkLayers({ ...TINY, wMax: 16 }, { depths: [1, 1, 1], widths: [16, 6, 6] }).some((l) => l.name === 's1.b1.proj'));
    assert.deepEqual(stageResolutions(TINY), [[7, 7], [4, 4], [2, 2]]);
  });

  test('per-stage decomposition equals the layer sum for every network of a space', () => {
    const s: ExpandedSearchSpace = { ...TINY, wMax: 18, widthsPerSpace: 3 };
    for (const a of allArchs({ depths: [[1, 2], [3, 4], [1, 1]], widths: [[14, 18], [1, 3], [4, 6]] })) assert.equal(archFlops(s, a), networkCost(s, a).flops);
  });
});

describe('NSS exact space statistics', () => {
  const brute = (s: ExpandedSearchSpace, space: NetworkSpace): number[] => allArchs(space).map((a) => networkCost(s, a).flops).sort((x, y) => x - y);

  for (const cacheLimit of [1 << 24, 0]) {
    test(`min, max, mean, counts and histogram equal brute-force enumeration (${cacheLimit ? 'two-pointer' : 'binary-search'} path)`, () => {
      const space = wholeSpace(TINY);
      const f = brute(TINY, space);
      const sf = new SpaceFlops(TINY, space, cacheLimit);
      assert.equal(sf.archs, f.length);
      assert.equal(sf.min, f[0]);
      assert.equal(sf.max, f[f.length - 1]);
      assert.ok(Math.abs(sf.mean - f.reduce((a, b) => a + b, 0) / f.length) < 1e-6 * sf.mean);
      const rng = Rng.fromSeed(11);
      for (let k = 0; k < 30; k++) {
        const t = f[0] + rng.next() * (f[f.length - 1] - f[0]);
        assert.equal(sf.countAtMost(t), f.filter((v) => v <= t).length);
      }
      // a threshold that equals a FLOPs value counts it (<=)
      assert.equal(sf.countAtMost(f[100]), f.filter((v) => v <= f[100]).length);
      const h = sf.histogram(7);
      assert.equal(h.counts.reduce((a, b) => a + b, 0), f.length);
      for (let b = 0; b < 7; b++) {
        const inBin = f.filter((v) => v >= h.edges[b] && (b === 6 ? v <= h.edges[7] : v < h.edges[b + 1])).length;
        assert.equal(h.counts[b], inBin, `bin ${b}`);
      }
    });
  }

  test('Table 1 figures: p is the exact fraction within +-10 %, expected samples 1/p', () => {
    const space = spaceOf(TINY, { depth: [0, 1, 0], width: [1, 0, 1] });
    const f = brute(TINY, space);
    const target = f[Math.floor(f.length / 3)];
    const within = f.filter((v) => Math.abs(v / target - 1) <= 0.1).length;
    const r = samplesToMeet(TINY, space, target);
    assert.equal(r.within, within);
    assert.equal(r.p, within / f.length);
    assert.equal(r.expectedSamples, f.length / within);
    assert.equal(samplesToMeet(TINY, space, f[0] / 2).expectedSamples, Infinity);
  });
});

describe('NSS search inside a space (Sec. 4.3 procedures)', () => {
  test('sampleUntilWithin: the first draw within +-10 %, after 1/p draws on average', () => {
    const space = wholeSpace(TINY);
    const sf = new SpaceFlops(TINY, space);
    const target = sf.min + 0.3 * (sf.max - sf.min);
    const expected = samplesToMeet(TINY, sf, target).expectedSamples;
    const rng = Rng.fromSeed(21);
    let total = 0;
    const runs = 3000;
    for (let k = 0; k < runs; k++) {
      const r = sampleUntilWithin(TINY, space, target, rng);
      assert.ok(r !== null && r.deviation <= 0.1 && r.flops === archFlops(TINY, r.arch));
      total += r.samples;
    }
    // geometric with mean 1/p: the standard error of the mean is sqrt(1-p)/p/sqrt(runs)
    const se = Math.sqrt(1 - 1 / expected) * expected / Math.sqrt(runs);
    assert.ok(Math.abs(total / runs - expected) < 4 * se, `${total / runs} vs ${expected}`);
    assert.equal(sampleUntilWithin(TINY, space, sf.min / 3, rng, 50), null);
  });

  test('closestOfN keeps the closest of its n draws', () => {
    const space = wholeSpace(TINY);
    const target = 2e5;
    const r = closestOfN(TINY, space, target, 5, Rng.fromSeed(8));
    const again = Rng.fromSeed(8);
    const devs = Array.from({ length: 5 }, () => Math.abs(archFlops(TINY, sampleArch(space, again)) / target - 1));
    assert.equal(r.deviation, Math.min(...devs));
    assert.equal(r.samples, 5);
  });
});
