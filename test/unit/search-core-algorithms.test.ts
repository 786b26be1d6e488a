import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/common/rng';
import type { ArchConstraint, ArchEvaluator, ArchRef } from '../../src/search/common/evaluator';
import { CellSearchSpace, gridSpace, neighbours } from '../../src/search/common/space';
import { CellSearch, RegularizedEvolution, SearchServices, mutate, mutateFeasible, runCellSearchSync } from '../../src/search/core';

/** Services over a grid space with a real Rng and an optional feasibility predicate (for driving a strategy directly). */
function services(space: CellSearchSpace, seed: number, feasible: (i: number) => boolean = () => true): SearchServices {
  const rng = Rng.fromSeed(seed);
  return {
    space,
    randomUnknown: () => {
      for (;;) {
        const i = rng.int(space.size);
        if (feasible(i)) return i;
      }
    },
    feasible,
    evaluated: () => false,
    randomInt: (n) => rng.int(n),
    shuffle: (a) => rng.shuffle(a),
    sampleIndices: (n, k) => rng.sampleIndices(n, k),
  };
}

const diffEdges = (space: CellSearchSpace, a: number, b: number): number[] => space.opsOf(a).flatMap((o, e) => (o !== space.opsOf(b)[e] ? [e] : []));

class Spy implements ArchEvaluator {
  readonly description = 'spy';
  readonly calls: number[] = [];
  constructor(private readonly f: (i: number) => number) {}
  evaluate(a: ArchRef): number {
    this.calls.push(a.index);
    return this.f(a.index);
  }
}

describe('regularised evolution: defining behaviour', () => {
  test('aging: a new child removes the OLDEST member, not the worst', () => {
    const evo = new RegularizedEvolution(4, 2);
    const s = services(gridSpace(3, 3), 0);
    // the oldest member is the best (score 100); the worst (score 1) is the youngest of the first four
    [
      [0, 100],
      [1, 5],
      [2, 3],
      [3, 1],
    ].forEach(([i, sc]) => evo.onScore(s, i, sc, true));
    evo.onScore(s, 4, 2, true);
    assert.deepEqual(
      evo.toJSON().population.map((m) => m.index),
      [1, 2, 3, 4],
      'the best but oldest member (0) must go; the worst (3) stays',
    );
    evo.onScore(s, 5, 50, true);
    assert.deepEqual(
      evo.toJSON().population.map((m) => m.index),
      [2, 3, 4, 5],
    );
    evo.onScore(s, 9, 7, false); // a cached duplicate does not join and ages nobody
    assert.deepEqual(
      evo.toJSON().population.map((m) => m.index),
      [2, 3, 4, 5],
    );
  });

  test('mutation changes exactly one edge, always to a DIFFERENT op, and reaches every one-edge neighbour', () => {
    const space = gridSpace(6, 5);
    const s = services(space, 1);
    for (const parent of [0, 777, 15624]) {
      const reached = new Set<number>();
      for (let t = 0; t < 3000; t++) {
        const child = mutate(s, parent);
        const d = diffEdges(space, parent, child);
        assert.equal(d.length, 1, `child ${child} of ${parent} differs in ${d.length} edges`);
        reached.add(child);
      }
      assert.deepEqual([...reached].sort((a, b) => a - b), neighbours(space, parent).sort((a, b) => a - b));
    }
  });

  test('the parent is the best of the tournament sample (S = P: always the best member)', () => {
    const space = gridSpace(6, 5);
    const evo = new RegularizedEvolution(5, 5);
    const s = services(space, 2);
    [
      [10, 1],
      [2000, 9],
      [300, 4],
      [4000, 2],
      [50, 3],
    ].forEach(([i, sc]) => evo.onScore(s, i, sc, true));
    for (let t = 0; t < 200; t++) assert.equal(diffEdges(space, 2000, evo.propose(s)).length, 1);
  });

  test('constraints: the initial population and every child are feasible (mutation until feasible, no query spent)', () => {
    const space = gridSpace(6, 5);
    // feasible: at most two edges with op 3 or 4 (a "latency" budget); the best archs sit at the bound
    const heavy = (i: number): number => space.opsOf(i).filter((o) => o >= 3).length;
    const feasible = (i: number): boolean => heavy(i) <= 2;
    const evo = new RegularizedEvolution(10, 10);
    const s = services(space, 3, feasible);
    // population of archs exactly at the bound: most of their one-edge mutants are infeasible
    const atBound = Array.from({ length: space.size }, (_, i) => i).filter((i) => heavy(i) === 2);
    for (let k = 0; k < 10; k++) evo.onScore(s, atBound[k * 97], k, true);
    let repaired = 0;
    for (let t = 0; t < 200; t++) {
      const child = evo.propose(s); // fewer than EVOLUTION_STALL_LIMIT proposals: all are mutants of the best member
      assert.ok(feasible(child), `proposal ${child} is infeasible`);
      if (diffEdges(space, atBound[9 * 97], child).length > 1) repaired++;
    }
    assert.ok(repaired > 0, 'some infeasible first mutants were repaired by further mutation (a walk, not a re-draw)');
    // without constraints mutateFeasible is exactly one mutation
    const free = services(space, 4);
    for (let t = 0; t < 200; t++) assert.equal(diffEdges(space, 123, mutateFeasible(free, 123)).length, 1);
  });
});

describe('local search and random search: defining behaviour', () => {
  test('local search (best improvement) queries the start, then exactly its one-edge neighbourhood', () => {
    const space = gridSpace(3, 4); // 9 neighbours per arch
    for (const seed of [0, 1, 2]) {
      const spy = new Spy((i) => -i); // lower index is better: the start is usually not a local optimum
      const s = CellSearch.start({ space }, { name: 'local', improvement: 'best' }, 10, seed);
      runCellSearchSync(s, spy);
      const [start, ...rest] = spy.calls;
      assert.deepEqual(rest.sort((a, b) => a - b), neighbours(space, start).sort((a, b) => a - b));
    }
  });

  test('local search moves to the best neighbour and restarts at a local optimum; under a constraint it visits only feasible neighbours', () => {
    const space = gridSpace(3, 4);
    const f = (i: number): number => -Math.abs(i - 40);
    const spy = new Spy(f);
    const s = CellSearch.start({ space }, { name: 'local', improvement: 'best' }, 64, 5);
    runCellSearchSync(s, spy);
    assert.equal(s.best?.index, 40, 'a one-optimum objective is climbed to its optimum');
    const c: ArchConstraint = { field: 't', description: 'edge 2 != 1', feasible: (a) => a.ops[2] !== 1 };
    const startOf = CellSearch.start({ space, constraint: c }, { name: 'local', improvement: 'best' }, 1, 5).ask() as ArchRef;
    const feasibleNbrs = neighbours(space, startOf.index).filter((i) => space.opsOf(i)[2] !== 1);
    assert.ok(feasibleNbrs.length < 9, 'the constraint removes some neighbours');
    const spy2 = new Spy(f);
    const s2 = CellSearch.start({ space, constraint: c }, { name: 'local', improvement: 'best' }, 1 + feasibleNbrs.length, 5);
    runCellSearchSync(s2, spy2);
    const [start, ...rest] = spy2.calls;
    assert.equal(start, startOf.index);
    assert.deepEqual(rest.sort((a, b) => a - b), feasibleNbrs.sort((a, b) => a - b));
  });

  test('random search samples without waste: uniform over feasible unseen archs, each queried once, no duplicates', () => {
    const space = gridSpace(3, 3); // 27 archs
    const c: ArchConstraint = { field: 't', description: 'edge 0 != 0', feasible: (a) => a.ops[0] !== 0 }; // 18 feasible
    const spy = new Spy((i) => i);
    const s = CellSearch.start({ space, constraint: c }, { name: 'random' }, 1000, 0);
    runCellSearchSync(s, spy);
    assert.equal(spy.calls.length, 18, 'stops when every feasible arch is queried');
    assert.equal(new Set(spy.calls).size, 18);
    assert.ok(spy.calls.every((i) => space.opsOf(i)[0] !== 0));
    // uniform first draw over the 18 feasible archs: 3,600 seeds, expected 200 each
    const counts = new Map<number, number>();
    for (let seed = 0; seed < 3600; seed++) {
      const r = CellSearch.start({ space, constraint: c }, { name: 'random' }, 1, seed);
      const a = r.ask() as ArchRef;
      counts.set(a.index, (counts.get(a.index) ?? 0) + 1);
    }
    assert.equal(counts.size, 18);
    for (const [i, n] of counts) assert.ok(n > 140 && n < 260, `arch ${i} drawn ${n} times`);
  });
});
