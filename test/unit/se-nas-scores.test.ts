// SE-NAS operator scores and layer-wise spaces (src/methods/se-nas/science, src/search/spaces/op-space.ts): selection
// importance (Eq. 5) and confidence (Eq. 6) against hand-computed values, Eq. 7 as printed and the sc-times-deviation
// option on hand-computed SI tables where they remove different operators, SC = 0, shrinking (exactly k, never an edge's last op,
// deterministic ties), greedy merging of layer-wise spaces, and stratified sampling of children. Pure, no tensors.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Rng } from '../../src/common/rng';
import { OpSpace, enumerateOpSpace, fullOpSpace, inOpSpace, opSpaceSize, partialModels, stratifiedChildren } from '../../src/search/spaces/op-space';
import { OperatorScore, ScoredChild, mergeLayerSpaces, scoreOperators, selectionConfidence, selectionImportance, shrink } from '../../src/methods/se-nas/science/scores';

const close = (a: number, b: number, msg: string, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${msg}: ${a} vs ${b}`);

/** A score entry as shrink() reads it (si/sc/samples do not matter to shrink). */
const sc = (edge: number, op: number, score: number): OperatorScore => ({ edge, op, score, si: 0, sc: 0, samples: 1 });

/** Every (edge, op) pair of a space with score 0. */
const flatScores = (space: OpSpace): OperatorScore[] => space.flatMap((ops, e) => ops.map((o) => sc(e, o, 0)));

describe('SE-NAS selection importance and confidence', () => {
  // three edges; edge 2 allows a single op; op 4 of edge 0 is never sampled
  const space: OpSpace = [
    [0, 3, 4],
    [1, 2],
    [3],
  ];
  const children: ScoredChild[] = [
    { ops: [0, 1, 3], accuracy: 0.5 },
    { ops: [0, 2, 3], accuracy: 0.7 },
    { ops: [3, 1, 3], accuracy: 0.2 },
    { ops: [3, 2, 3], accuracy: 0.4 },
    { ops: [3, 2, 3], accuracy: 0.9 },
    // ops outside the space (edge 0 op 1) are ignored on that edge but still count on the others
    { ops: [1, 1, 3], accuracy: 0.1 },
  ];

  test('SI (Eq. 5) is the mean accuracy of the children using the op; counts; NaN without samples', () => {
    const { si, counts } = selectionImportance(children, space);
    assert.deepEqual(counts, [[2, 3, 0], [3, 3], [6]]);
    close(si[0][0], (0.5 + 0.7) / 2, 'e0 op0');
    close(si[0][1], (0.2 + 0.4 + 0.9) / 3, 'e0 op3');
    assert.ok(Number.isNaN(si[0][2]), 'e0 op4 has no samples');
    close(si[1][0], (0.5 + 0.2 + 0.1) / 3, 'e1 op1');
    close(si[1][1], (0.7 + 0.4 + 0.9) / 3, 'e1 op2');
    close(si[2][0], (0.5 + 0.7 + 0.2 + 0.4 + 0.9 + 0.1) / 6, 'e2 op3');
  });

  test('SC (Eq. 6) is the population variance of the finite SIs; 0 with fewer than two', () => {
    // mean 0.5; deviations -0.3, -0.1, 0.4 -> (0.09 + 0.01 + 0.16) / 3
    close(selectionConfidence([0.2, 0.4, 0.9]), 0.26 / 3, 'three values', 1e-15);
    close(selectionConfidence([0.2, Number.NaN, 0.4, 0.9]), 0.26 / 3, 'NaN ignored', 1e-15);
    close(selectionConfidence([0.3, 0.5]), 0.01, 'two values (population, not sample, variance)', 1e-15);
    assert.equal(selectionConfidence([0.7]), 0);
    assert.equal(selectionConfidence([0.7, Number.NaN]), 0);
    assert.equal(selectionConfidence([]), 0);
    assert.equal(selectionConfidence([0.25, 0.25, 0.25]), 0);
  });

  test('scoreOperators, Eq. 7 as printed: S = (SI / mean SI) / (SC / mean SC) over the current operators; SC = 0 or no samples -> +Infinity', () => {
    const scores = scoreOperators(children, space, 'se-nas', Rng.fromSeed(1));
    assert.equal(scores.length, 6);
    assert.deepEqual(
      scores.map((s) => [s.edge, s.op, s.samples]),
      [[0, 0, 2], [0, 3, 3], [0, 4, 0], [1, 1, 3], [1, 2, 3], [2, 3, 6]],
    );
    // SI: e0 [0.6, 0.5, NaN], e1 [0.8/3, 2/3], e2 [2.8/6]; mean over the 5 finite SIs = 2.5 / 5 = 0.5
    // SC: e0 0.0025, e1 0.04 (mean 1.4/3, deviations -+0.2), e2 0; mean over the 6 current ops = (3 x 0.0025 + 2 x 0.04 + 0) / 6
    const meanSc = (3 * 0.0025 + 2 * 0.04) / 6;
    close(scores[0].sc, 0.0025, 'SC e0');
    close(scores[3].sc, 0.04, 'SC e1');
    close(scores[0].score, 0.6 / 0.5 / (0.0025 / meanSc), 'S e0 op0 = 7', 1e-9);
    close(scores[0].score, 7, 'S e0 op0 by hand', 1e-9);
    close(scores[1].score, 0.5 / 0.5 / (0.0025 / meanSc), 'S e0 op3 = 35/6', 1e-9);
    close(scores[3].score, 0.8 / 3 / 0.5 / (0.04 / meanSc), 'S e1 op1 = 7/36', 1e-9);
    close(scores[3].score, 7 / 36, 'S e1 op1 by hand', 1e-9);
    close(scores[4].score, 2 / 3 / 0.5 / (0.04 / meanSc), 'S e1 op2 = 35/72', 1e-9);
    assert.ok(Number.isNaN(scores[2].si));
    assert.equal(scores[2].score, Infinity, 'no samples: no evidence, never removed');
    assert.equal(scores[5].sc, 0, 'single-op edge: SC 0');
    assert.equal(scores[5].score, Infinity, 'SC = 0: S = SI / 0 = +Infinity');
    // shrink: e1 op1 (7/36) goes first; e1 op2 would be the last of its edge, so e0 op3 (35/6) is next
    assert.deepEqual(shrink(space, scores, 2).removed.map((r) => [r.edge, r.op]), [[1, 1], [0, 3]]);
  });

  test('the named option sc-times-deviation: SC_l * (SI - mean SI of the edge); unsampled op scores 0; the si and random rules', () => {
    const scores = scoreOperators(children, space, 'sc-times-deviation', Rng.fromSeed(1));
    const var0 = 0.0025; // mean 0.55, deviations +-0.05
    close(scores[0].score, var0 * (0.6 - 0.55), 'S e0 op0');
    close(scores[1].score, var0 * (0.5 - 0.55), 'S e0 op3');
    assert.equal(scores[2].score, 0, 'no evidence: score 0');
    const si1 = [0.8 / 3, 2 / 3];
    const m1 = (si1[0] + si1[1]) / 2;
    const var1 = ((si1[0] - m1) ** 2 + (si1[1] - m1) ** 2) / 2;
    close(scores[3].score, var1 * (si1[0] - m1), 'S e1 op1');
    close(scores[4].score, var1 * (si1[1] - m1), 'S e1 op2');
    assert.equal(scores[5].score, 0);
    const bySi = scoreOperators(children, space, 'si', Rng.fromSeed(1));
    close(bySi[1].score, 0.5, 'si rule: the SI itself');
    close(bySi[2].score, 0.55, 'si rule: an unsampled op takes its edge mean');
    const random = scoreOperators(children, space, 'random', Rng.fromSeed(1));
    assert.ok(random.every((s) => s.score >= 0 && s.score < 1));
    assert.deepEqual(random, scoreOperators(children, space, 'random', Rng.fromSeed(1)), 'random rule is seeded');
  });

  test('hand-computed SI tables on which Eq. 7 (printed) and SC x (SI - mean) remove different operators', () => {
    const grid: OpSpace = [
      [0, 1, 2],
      [0, 1, 2],
    ];
    // full grid, accuracy = SI_0[a] + SI_1[b] - 0.5, so SI per edge is exactly the table (each edge mean 0.5)
    const table = (si0: number[], si1: number[]): ScoredChild[] => enumerateOpSpace(grid).map(([a, b]) => ({ ops: [a, b], accuracy: si0[a] + si1[b] - 0.5 }));

    // table 1: edge 0 flat [0.45, 0.50, 0.55] (SC 0.005/3), edge 1 confident [0.30, 0.60, 0.60] (SC 0.02).
    // mean SI 0.5, mean SC (0.005/3 + 0.02) / 2 = 0.065/6. Eq. 7: e0 -> 0.9/(2/13) = 5.85, 6.5, 7.15; e1 -> 0.6/(24/13) = 0.325,
    // 0.65, 0.65. Product: e0 -> -8.3e-5, 0, +8.3e-5; e1 -> -0.004, +0.002, +0.002.
    // k = 2: Eq. 7 removes e1 op0 then e1 op1 (a top-SI op of the confident edge: the printed form divides by SC);
    //        the product removes e1 op0 then e0 op0.
    const t1 = table([0.45, 0.5, 0.55], [0.3, 0.6, 0.6]);
    const eq7 = scoreOperators(t1, grid, 'se-nas', Rng.fromSeed(1));
    const prod = scoreOperators(t1, grid, 'sc-times-deviation', Rng.fromSeed(1));
    [5.85, 6.5, 7.15, 0.325, 0.65, 0.65].forEach((v, i) => close(eq7[i].score, v, `Eq. 7 table 1 #${i}`, 1e-9));
    [-0.005 / 3 * 0.05, 0, 0.005 / 3 * 0.05, -0.02 * 0.2, 0.02 * 0.1, 0.02 * 0.1].forEach((v, i) => close(prod[i].score, v, `product table 1 #${i}`, 1e-9));
    assert.deepEqual(shrink(grid, eq7, 2).removed.map((r) => [r.edge, r.op]), [[1, 0], [1, 1]]);
    assert.deepEqual(shrink(grid, prod, 2).removed.map((r) => [r.edge, r.op]), [[1, 0], [0, 0]]);

    // table 2 (k = 1): edge 0 [0.20, 0.55, 0.75] (SC 0.1550/3), edge 1 [0.46, 0.50, 0.54] (SC 0.0032/3).
    // Product: e0 op0 -0.1550/3 x 0.3 = -0.0155 is lowest. Eq. 7 (ranking = SI / SC): e0 op0 0.2/0.05167 = 3.87, e1 op0
    // 0.46/0.001067 = 431: also e0 op0. Both agree here: a clearly bad op of a confident edge goes under both rules.
    const t2 = table([0.2, 0.55, 0.75], [0.46, 0.5, 0.54]);
    assert.deepEqual(shrink(grid, scoreOperators(t2, grid, 'se-nas', Rng.fromSeed(1)), 1).removed.map((r) => [r.edge, r.op]), [[0, 0]]);
    assert.deepEqual(shrink(grid, scoreOperators(t2, grid, 'sc-times-deviation', Rng.fromSeed(1)), 1).removed.map((r) => [r.edge, r.op]), [[0, 0]]);
  });

  test('Eq. 7 with SC = 0 everywhere (all SIs of each edge equal): every score +Infinity; shrink falls back to SI, then edge, then op', () => {
    const grid: OpSpace = [
      [0, 1],
      [2, 3],
    ];
    const kids: ScoredChild[] = [
      { ops: [0, 2], accuracy: 0.4 },
      { ops: [1, 3], accuracy: 0.4 },
      { ops: [0, 3], accuracy: 0.4 },
      { ops: [1, 2], accuracy: 0.4 },
    ];
    const s = scoreOperators(kids, grid, 'se-nas', Rng.fromSeed(1));
    assert.ok(s.every((x) => x.sc === 0 && x.score === Infinity));
    assert.deepEqual(shrink(grid, s, 2).removed.map((r) => [r.edge, r.op]), [[0, 0], [1, 2]]);
    // all +Infinity with different SIs per edge (children using an op outside an edge's space count only on the other
    // edge): e0 SI [0.5, 0.5], e1 SI [0.1, 0.1] -> the lower SI (edge 1) goes first, not the lower edge
    const uneven: ScoredChild[] = [
      { ops: [0, 2], accuracy: 0.1 },
      { ops: [1, 3], accuracy: 0.1 },
      { ops: [0, 4], accuracy: 0.9 },
      { ops: [1, 4], accuracy: 0.9 },
    ];
    const u = scoreOperators(uneven, grid, 'se-nas', Rng.fromSeed(1));
    assert.deepEqual(u.map((x) => [x.si, x.score]), [[0.5, Infinity], [0.5, Infinity], [0.1, Infinity], [0.1, Infinity]]);
    assert.deepEqual(shrink(grid, u, 1).removed.map((r) => [r.edge, r.op]), [[1, 2]]);
    // an edge with zero SC is never cut while another edge has finite scores, even when its SI is the lowest
    const mixed: ScoredChild[] = [
      { ops: [0, 2], accuracy: 0.1 },
      { ops: [1, 2], accuracy: 0.1 },
      { ops: [0, 3], accuracy: 0.9 },
      { ops: [1, 3], accuracy: 0.9 },
    ];
    // SI e0 = [0.5, 0.5] (SC 0); SI e1 = [0.1, 0.9] (SC 0.16): e1 op2 has finite score 0.2/0.5 / (0.16/0.08) = 0.2
    const m = scoreOperators(mixed, grid, 'se-nas', Rng.fromSeed(1));
    close(m[2].score, 0.1 / 0.5 / (0.16 / 0.08), 'e1 op2', 1e-12);
    assert.deepEqual(shrink(grid, m, 1).removed.map((r) => [r.edge, r.op]), [[1, 2]]);
  });

  test('the sc-times-deviation option ranks a clearly bad op of a high-variance edge below a slightly-below-mean op of a flat edge', () => {
    // accuracy = 0.5 + f[a] + g[b] over the full 3 x 3 grid of two edges: SI_0(a) = 0.5 + f[a], SI_1(b) = 0.5 + g[b]
    // (f, g sum to 0). Edge 0 spreads widely (op 2 clearly bad), edge 1 is flat (op 2 one point below the others).
    const f = [0.2, 0.2, -0.4];
    const g = [0.01, 0.01, -0.02];
    const grid: OpSpace = [
      [0, 1, 2],
      [0, 1, 2],
    ];
    const kids: ScoredChild[] = enumerateOpSpace(grid).map(([a, b]) => ({ ops: [a, b], accuracy: 0.5 + f[a] + g[b] }));
    const s = scoreOperators(kids, grid, 'sc-times-deviation', Rng.fromSeed(1));
    const bad = s.find((x) => x.edge === 0 && x.op === 2) as OperatorScore;
    const flat = s.find((x) => x.edge === 1 && x.op === 2) as OperatorScore;
    close(bad.sc, (0.04 + 0.04 + 0.16) / 3, 'SC of the spread edge');
    close(bad.score, 0.08 * -0.4, 'score of the bad op');
    close(flat.score, ((0.0001 + 0.0001 + 0.0004) / 3) * -0.02, 'score of the flat edge op');
    assert.ok(bad.score < flat.score);
    assert.deepEqual(shrink(grid, s, 1).removed.map((r) => [r.edge, r.op]), [[0, 2]]);

    // where the confidence decides: edge 0's op 2 is only 0.05 below its mean but the edge is confident (SC 0.0517),
    // edge 1's op 2 is 0.06 below but the edge is nearly flat (SC 0.0018). SI alone removes edge 1's; the product edge 0's.
    const f2 = [0.3, -0.25, -0.05];
    const g2 = [0.03, 0.03, -0.06];
    const kids2: ScoredChild[] = enumerateOpSpace(grid).map(([a, b]) => ({ ops: [a, b], accuracy: 0.5 + f2[a] + g2[b] }));
    const prod = scoreOperators(kids2, grid, 'sc-times-deviation', Rng.fromSeed(1));
    const si = scoreOperators(kids2, grid, 'si', Rng.fromSeed(1));
    // the worst op of edge 0 (op 1) goes first under both rules; the second removal differs
    assert.deepEqual(shrink(grid, prod, 2).removed.map((r) => [r.edge, r.op]), [[0, 1], [0, 2]]);
    assert.deepEqual(shrink(grid, si, 2).removed.map((r) => [r.edge, r.op]), [[0, 1], [1, 2]]);
  });
});

describe('SE-NAS shrinking', () => {
  test('removes exactly k ops, skipping an op that is the last of its edge even when it ranks among the k lowest', () => {
    const space: OpSpace = [[2], [1, 3], [0, 1, 2, 3, 4], [0, 4]];
    const scores = [
      sc(0, 2, -9), // lowest, but the only op of edge 0
      sc(1, 1, -8),
      sc(1, 3, -7), // after (1, 1) goes, the last op of edge 1
      sc(2, 0, -1),
      sc(2, 1, 5),
      sc(2, 2, -2),
      sc(2, 3, 6),
      sc(2, 4, 7),
      sc(3, 0, 0.5),
      sc(3, 4, 0.25),
    ];
    const r = shrink(space, scores, 3);
    assert.deepEqual(r.removed, [
      { edge: 1, op: 1, score: -8 },
      { edge: 2, op: 2, score: -2 },
      { edge: 2, op: 0, score: -1 },
    ]);
    assert.deepEqual(r.space, [[2], [3], [1, 3, 4], [0, 4]]);
    assert.deepEqual(space, [[2], [1, 3], [0, 1, 2, 3, 4], [0, 4]], 'input space untouched');
    // k larger than what can go: every edge keeps exactly one op (its highest-scoring one)
    const all = shrink(space, scores, 50);
    assert.equal(all.removed.length, 10 - 4);
    assert.deepEqual(all.space, [[2], [3], [4], [0]]);
    assert.equal(shrink(space, scores, 0).removed.length, 0);
  });

  test('ties (equal score and SI) go to the lower edge, then the lower op, independent of the order of the score list', () => {
    const space = fullOpSpace(6, 5);
    const flat = flatScores(space);
    const r = shrink(space, flat, 10);
    assert.deepEqual(
      r.removed.map((x) => [x.edge, x.op]),
      [[0, 0], [0, 1], [0, 2], [0, 3], [1, 0], [1, 1], [1, 2], [1, 3], [2, 0], [2, 1]],
    );
    const reversed = shrink(space, flat.slice().reverse(), 10);
    assert.deepEqual(reversed, r);
    const shuffled = shrink(space, Rng.fromSeed(3).shuffle(flat.slice()), 10);
    assert.deepEqual(shuffled, r);
  });

  test('two stages of k = 10 on the full NB201 space leave 10 ops, at least one per edge, for any scores', () => {
    for (let seed = 0; seed < 20; seed++) {
      const rng = Rng.fromSeed(seed);
      let space: number[][] = fullOpSpace(6, 5);
      for (let stage = 0; stage < 2; stage++) {
        const scores = space.flatMap((ops, e) => ops.map((o) => sc(e, o, rng.int(3))));
        const r = shrink(space, scores, 10);
        assert.equal(r.removed.length, 10);
        space = r.space;
      }
      assert.equal(space.flat().length, 10);
      assert.ok(space.every((ops) => ops.length >= 1));
    }
  });
});

describe('SE-NAS layer-wise spaces', () => {
  test('mergeLayerSpaces: greedy left-to-right groups whose partial-model count stays <= T', () => {
    const sizes = (s: number[]): number[][] => s.map((n) => Array.from({ length: n }, (_, i) => i));
    const cases: Array<{ sizes: number[]; T: number; groups: number[][] }> = [
      { sizes: [5, 5, 5, 5, 5, 5], T: 9, groups: [[0], [1], [2], [3], [4], [5]] },
      { sizes: [5, 5, 5, 5, 5, 5], T: 25, groups: [[0, 1], [2, 3], [4, 5]] },
      { sizes: [5, 5, 5, 5, 5, 5], T: 624, groups: [[0, 1, 2], [3, 4, 5]] },
      { sizes: [5, 5, 5, 5, 5, 5], T: 625, groups: [[0, 1, 2, 3], [4, 5]] },
      { sizes: [3, 3, 1, 2, 2, 4], T: 9, groups: [[0, 1, 2], [3, 4], [5]] },
      { sizes: [1, 1, 1, 1, 1, 1], T: 1, groups: [[0, 1, 2, 3, 4, 5]] },
      { sizes: [2, 2, 2, 2, 1, 1], T: 9, groups: [[0, 1, 2], [3, 4, 5]] },
      { sizes: [4, 3, 2, 2, 4, 5], T: 3, groups: [[0], [1], [2], [3], [4], [5]] },
      { sizes: [2, 5, 1, 1, 3, 3], T: 10, groups: [[0, 1, 2, 3], [4, 5]] },
      // T = 50 (the paper's NB201 value, the default): after two stages of k = 10 the 10 survivors form one group
      { sizes: [2, 2, 2, 2, 1, 1], T: 50, groups: [[0, 1, 2, 3, 4, 5]] },
      { sizes: [4, 3, 3, 4, 3, 3], T: 50, groups: [[0, 1, 2], [3, 4, 5]] },
    ];
    for (const c of cases) {
      const space = sizes(c.sizes);
      const groups = mergeLayerSpaces(space, c.T);
      assert.deepEqual(groups, c.groups, `sizes ${c.sizes} T=${c.T}`);
      assert.deepEqual(groups.flat(), [0, 1, 2, 3, 4, 5], 'groups partition the edges in order');
      for (const g of groups) {
        if (g.length > 1) assert.ok(partialModels(g, space).length <= c.T, `group ${g} of ${c.sizes} exceeds T=${c.T}`);
      }
    }
  });

  test('op-space helpers: size, membership, enumeration order, partial models', () => {
    const space: OpSpace = [[1, 3], [0], [2, 4, 0]];
    assert.equal(opSpaceSize(space), 6);
    assert.equal(opSpaceSize(fullOpSpace(6, 5)), 15625);
    assert.deepEqual(enumerateOpSpace(space), [[1, 0, 2], [1, 0, 4], [1, 0, 0], [3, 0, 2], [3, 0, 4], [3, 0, 0]]);
    assert.ok(inOpSpace(space, [3, 0, 4]));
    assert.ok(!inOpSpace(space, [3, 1, 4]));
    assert.ok(!inOpSpace(space, [3, 0]));
    assert.deepEqual(partialModels([0, 2], space), [[1, 2], [1, 4], [1, 0], [3, 2], [3, 4], [3, 0]]);
  });

  test('stratifiedChildren: every op of every edge floor/ceil(count / |ops|) times; all children in the space; seeded', () => {
    const space: OpSpace = [[0, 1, 2, 3, 4], [1, 3], [2], [0, 4, 2], [0, 1, 2, 3], [3, 4]];
    for (const count of [1, 4, 10, 13, 100]) {
      const kids = stratifiedChildren(space, count, Rng.fromSeed(count));
      assert.equal(kids.length, count);
      for (const k of kids) assert.ok(inOpSpace(space, k), `child ${k} in the space`);
      space.forEach((ops, e) => {
        for (const o of ops) {
          const n = kids.filter((k) => k[e] === o).length;
          const lo = Math.floor(count / ops.length);
          assert.ok(n === lo || n === Math.ceil(count / ops.length), `count ${count}, edge ${e}, op ${o}: ${n} times`);
        }
      });
      assert.deepEqual(stratifiedChildren(space, count, Rng.fromSeed(count)), kids, 'same seed, same children');
    }
    // edges are paired at random, not in lockstep: two edges with the same ops are not always equal
    const twin = stratifiedChildren([[0, 1, 2, 3, 4], [0, 1, 2, 3, 4]], 50, Rng.fromSeed(9));
    assert.ok(twin.some((k) => k[0] !== k[1]));
  });
});
