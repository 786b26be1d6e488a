import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/common/rng';
import { gridSpace } from '../../src/search/common/space';
import {
  Individual,
  Nsga2,
  Nsga2Problem,
  cellNsga2Problem,
  constrainedDominates,
  constrainedRanking,
  crowdedTournament,
  crowdingDistance,
  dominates,
  nonDominatedSort,
  nsga2Select,
  runNsga2,
} from '../../src/search/core';

// Hand-computed example (both objectives minimised):
//   0 [1,5]  1 [2,3]  2 [3,2]  3 [6,1]   mutually non-dominated           -> front 0
//   4 [2,5] (dominated by 0 and 1)  5 [4,4] (dominated by 1 and 2)        -> front 1
//   6 [6,6] (dominated by 5)                                              -> front 2
const OBJS = [
  [1, 5],
  [2, 3],
  [3, 2],
  [6, 1],
  [2, 5],
  [4, 4],
  [6, 6],
];
const feasible = (objectives: number[]): Individual => ({ objectives, violation: 0 });

describe('NSGA-II population layer (hand-computed fronts and crowding)', () => {
  test('dominance and fast non-dominated sort', () => {
    assert.equal(dominates([1, 5], [2, 5]), true);
    assert.equal(dominates([2, 5], [1, 5]), false);
    assert.equal(dominates([1, 5], [1, 5]), false, 'equal vectors do not dominate');
    assert.equal(dominates([1, 5], [2, 3]), false);
    assert.deepEqual(nonDominatedSort(OBJS), [[0, 1, 2, 3], [4, 5], [6]]);
    assert.deepEqual(nonDominatedSort([]), []);
    assert.deepEqual(nonDominatedSort([[1, 1], [1, 1]]), [[0, 1]], 'duplicates share a front');
  });

  test('crowding distance: boundary = Infinity, inner = sum of normalised neighbour gaps', () => {
    // f1 sorted: 0(1) 1(2) 2(3) 3(6), range 5; f2 sorted: 3(1) 2(2) 1(3) 0(5), range 4
    // member 1: (3-1)/5 + (5-2)/4 = 0.4 + 0.75 = 1.15; member 2: (6-2)/5 + (3-1)/4 = 0.8 + 0.5 = 1.3
    const d = crowdingDistance(OBJS, [0, 1, 2, 3]);
    assert.equal(d[0], Infinity);
    assert.equal(d[3], Infinity);
    assert.ok(Math.abs(d[1] - 1.15) < 1e-12, String(d[1]));
    assert.ok(Math.abs(d[2] - 1.3) < 1e-12, String(d[2]));
    assert.deepEqual(crowdingDistance(OBJS, [4, 5]), [Infinity, Infinity]);
    // a constant objective adds nothing: three points on f1 = 0..2, f2 constant -> inner (2-0)/2 = 1
    assert.deepEqual(crowdingDistance([[0, 7], [1, 7], [2, 7]], [0, 1, 2]), [Infinity, 1, Infinity]);
  });

  test('environmental selection: whole fronts by rank, the cut front by descending crowding', () => {
    const pop = OBJS.map(feasible);
    assert.deepEqual(nsga2Select(pop, 4), [0, 1, 2, 3]);
    assert.deepEqual(nsga2Select(pop, 3), [0, 3, 2], 'boundaries (Infinity), then member 2 (1.3) before member 1 (1.15)');
    assert.deepEqual(nsga2Select(pop, 5), [0, 1, 2, 3, 4], 'front 1 cut: both boundary, lower index first');
    assert.deepEqual(nsga2Select(pop, 7).sort(), [0, 1, 2, 3, 4, 5, 6]);
    assert.throws(() => nsga2Select(pop, 8), /cannot select/);
  });

  test('constrained domination (Deb 2000): feasible beats infeasible, infeasible compare by violation', () => {
    const good = { objectives: [0, 0], violation: 0.2 };
    const bad = { objectives: [9, 9], violation: 0 };
    assert.equal(constrainedDominates(bad, good), true, 'feasible wins whatever the objectives');
    assert.equal(constrainedDominates(good, bad), false);
    assert.equal(constrainedDominates({ objectives: [9, 9], violation: 0.1 }, good), true, 'lower violation wins');
    assert.equal(constrainedDominates(good, { objectives: [9, 9], violation: 0.2 }), false, 'equal violation: neither');
    assert.equal(constrainedDominates(feasible([1, 2]), feasible([2, 2])), true);
    assert.equal(constrainedDominates(feasible([1, 2]), feasible([2, 1])), false);
  });

  test('constrained ranking and selection put every feasible member before any infeasible one', () => {
    const pop: Individual[] = [
      { objectives: [9, 9], violation: 0 },
      { objectives: [], violation: 0.1 },
      { objectives: [], violation: 0.5 },
      { objectives: [], violation: 0.1 },
      { objectives: [1, 1], violation: 0 },
    ];
    const r = constrainedRanking(pop);
    assert.deepEqual(r.fronts, [[4], [0], [1, 3], [2]]);
    assert.deepEqual(r.ranks, [1, 2, 3, 2, 0]);
    assert.deepEqual(nsga2Select(pop, 3), [4, 0, 1]);
    assert.deepEqual(nsga2Select(pop, 5), [4, 0, 1, 3, 2]);
  });

  test('crowded tournament: lower rank wins, then larger crowding distance', () => {
    const pop = [feasible([0]), feasible([1]), feasible([2])];
    const wins = [0, 0, 0];
    for (let seed = 0; seed < 600; seed++) wins[crowdedTournament(pop, [0, 1, 2], [0, 0, 0], Rng.fromSeed(seed))]++;
    assert.equal(wins[2], 0, 'the worst member never wins a binary tournament');
    // member 0 wins every pair it is in (2 of 3 pairs), member 1 the pair {1,2}
    assert.ok(wins[0] > 330 && wins[0] < 470, String(wins));
    const sameRank = [0, 0];
    for (let seed = 0; seed < 50; seed++) sameRank[crowdedTournament(pop.slice(0, 2), [0, 0], [0.5, Infinity], Rng.fromSeed(seed))]++;
    assert.deepEqual(sameRank, [0, 50], 'equal rank: the less crowded member wins');
  });
});

/** 4 edges x 4 ops; objectives: f1 = sum of ops, f2 = a fixed random cost; constraint: ops[0] + ops[1] <= 3. */
function gridProblem(): { problem: Nsga2Problem<number>; f: (i: number) => number[]; violation: (i: number) => number; space: ReturnType<typeof gridSpace> } {
  const space = gridSpace(4, 4);
  const r = Rng.fromSeed(42);
  const w = Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => r.next()));
  const f = (i: number): number[] => {
    const ops = space.opsOf(i);
    return [ops.reduce((a, b) => a + b, 0), ops.reduce((a, o, e) => a + w[e][3 - o], 0)];
  };
  const violation = (i: number): number => Math.max(0, space.opsOf(i)[0] + space.opsOf(i)[1] - 3);
  const problem = cellNsga2Problem(space, violation);
  return { problem, f, violation, space };
}

describe('generic constrained NSGA-II loop', () => {
  test('finds the exact constrained Pareto front of a small grid; never evaluates an infeasible or repeated genome', async () => {
    const { problem, f, violation, space } = gridProblem();
    const all = Array.from({ length: space.size }, (_, i) => i).filter((i) => violation(i) === 0);
    const trueFront = nonDominatedSort(all.map(f))[0].map((j) => f(all[j]).join(',')).sort();
    for (const seed of [0, 1, 2]) {
      const seen: number[] = [];
      const nsga = new Nsga2(problem, { populationSize: 20, generations: 30, seed });
      const front = await runNsga2(nsga, (g) => {
        seen.push(g);
        return f(g);
      });
      assert.ok(seen.every((g) => violation(g) === 0), 'an infeasible genome was evaluated');
      assert.equal(new Set(seen).size, seen.length, 'a genome was evaluated twice');
      assert.equal(nsga.evaluations, seen.length);
      assert.ok(seen.length <= 20 * 31);
      assert.ok(nsga.population.every((m) => m.violation === 0), 'feasible members exist, so none survives infeasible');
      assert.deepEqual([...new Set(front.map((m) => m.objectives.join(',')))].sort(), trueFront, `seed ${seed}`);
    }
  });

  test('the initial population is feasible and distinct (sampled until feasible; checks are not evaluations)', () => {
    const { problem, violation } = gridProblem();
    let checks = 0;
    const counted = { ...problem, violation: (g: number) => (checks++, violation(g)) };
    const nsga = new Nsga2(counted, { populationSize: 30, generations: 1, seed: 3 });
    const first = nsga.ask();
    assert.equal(first.length, 30);
    assert.equal(new Set(first).size, 30);
    assert.ok(first.every((g) => violation(g) === 0));
    assert.ok(checks > 30, 'some samples were infeasible and were rejected by the cost look-up');
  });

  test('offspring are repaired by mutation until feasible', () => {
    const { problem, f, violation } = gridProblem();
    const nsga = new Nsga2({ ...problem, crossover: undefined }, { populationSize: 10, generations: 5, seed: 4 });
    for (let gen = 0; gen < 5; gen++) {
      const batch = nsga.ask();
      assert.ok(batch.every((g) => violation(g) === 0), `generation ${gen}`);
      // every child was repaired to a feasible, new genome, so all of them need an evaluation
      assert.equal(batch.length, 10, `generation ${gen}: ${10 - batch.length} offspring left infeasible or repeated`);
      nsga.tell(batch.map(f));
    }
  });

  test('snapshot/resume continues bit-for-bit', async () => {
    const { problem, f } = gridProblem();
    const full = new Nsga2(problem, { populationSize: 12, generations: 8, seed: 9 });
    await runNsga2(full, f);
    const first = new Nsga2(problem, { populationSize: 12, generations: 8, seed: 9 });
    for (let i = 0; i < 4; i++) first.tell(first.ask().map(f));
    const resumed = new Nsga2(problem, { populationSize: 12, generations: 8, seed: 9 }, JSON.parse(JSON.stringify(first.snapshot())));
    await runNsga2(resumed, f);
    assert.deepEqual(resumed.snapshot(), full.snapshot());
  });
});
