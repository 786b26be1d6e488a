import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ArchConstraint, ArchEvaluator, ArchRef } from '../../src/search/common/evaluator';
import { Rng } from '../../src/common/rng';
import { CellSearchSpace, gridSpace } from '../../src/search/common/space';
import { AlgorithmConfig, CellSearch, CellSearchState, runCellSearch, runCellSearchSync } from '../../src/search/core';

const ALGORITHMS: AlgorithmConfig[] = [
  { name: 'random' },
  { name: 'evolution', populationSize: 10, sampleSize: 3 },
  { name: 'local', improvement: 'best' },
  { name: 'local', improvement: 'first' },
];
const label = (a: AlgorithmConfig): string => (a.name === 'local' ? `local/${a.improvement}` : a.name);

/** Synthetic objective on a grid space: additive per-edge weights, plus optional pairwise interactions (rugged). */
function objective(space: CellSearchSpace, seed: number, rugged: boolean): (ops: readonly number[]) => number {
  const r = Rng.fromSeed(seed);
  const w = Array.from({ length: space.numEdges }, () => Array.from({ length: space.numOps }, () => r.next()));
  const pair = Array.from({ length: space.numEdges }, () => Array.from({ length: space.numOps * space.numOps }, () => r.next() - 0.5));
  return (ops) => {
    let s = 0;
    for (let e = 0; e < ops.length; e++) {
      s += w[e][ops[e]];
      if (rugged) s += 0.8 * pair[e][ops[e] * space.numOps + ops[(e + 1) % ops.length]];
    }
    return s;
  };
}

/** Evaluator that records every call (to check budget, distinctness and feasibility of what was evaluated). */
class SpyEvaluator implements ArchEvaluator {
  readonly description = 'synthetic objective';
  readonly calls: number[] = [];
  constructor(private readonly f: (ops: readonly number[]) => number) {}
  evaluate(arch: ArchRef): number {
    this.calls.push(arch.index);
    return this.f(arch.ops);
  }
}

function argmax(space: CellSearchSpace, f: (ops: readonly number[]) => number, feasible: (i: number) => boolean = () => true): { index: number; score: number } {
  let best = { index: -1, score: -Infinity };
  for (let i = 0; i < space.size; i++) {
    if (!feasible(i)) continue;
    const s = f(space.opsOf(i));
    if (s > best.score) best = { index: i, score: s };
  }
  return best;
}

/** Edge 0 must not use op 0 and edge 1 must not use op 1: 9/16 of a 4-op space is feasible. */
function edgeConstraint(_space: CellSearchSpace): ArchConstraint {
  return { field: 'test', description: 'e0 != 0 and e1 != 1', feasible: (a) => a.ops[0] !== 0 && a.ops[1] !== 1 };
}

describe('cell search algorithms on synthetic spaces', () => {
  test('each algorithm finds the optimum of a tiny additive space', () => {
    const space = gridSpace(5, 4); // 1,024 archs
    for (let fs = 0; fs < 3; fs++) {
      const f = objective(space, 100 + fs, false);
      const opt = argmax(space, f);
      // the default evolution hyper-parameters (P=30, S=10): 0 misses in 1,000 runs (20 objectives x 50 seeds);
      // P=10, S=3 misses 5.7% at this budget (slower selection, the elite ages out)
      for (const alg of ALGORITHMS.map((a): AlgorithmConfig => (a.name === 'evolution' ? { name: 'evolution', populationSize: 30, sampleSize: 10 } : a))) {
        // random search needs the whole space to be sure; the others climb an additive objective (no local optima)
        const budget = alg.name === 'random' ? space.size : 300;
        for (let seed = 0; seed < 10; seed++) {
          const s = CellSearch.start({ space }, alg, budget, seed);
          runCellSearchSync(s, new SpyEvaluator(f));
          assert.equal(s.best?.index, opt.index, `${label(alg)} seed ${seed} objective ${fs}`);
        }
      }
    }
  });

  test('the budget is respected exactly: each query evaluates a distinct arch, duplicates are not re-evaluated', () => {
    const space = gridSpace(4, 4);
    const f = objective(space, 7, true);
    for (const alg of ALGORITHMS) {
      for (const budget of [1, 17, 100]) {
        const spy = new SpyEvaluator(f);
        const s = CellSearch.start({ space }, alg, budget, 5);
        runCellSearchSync(s, spy);
        assert.equal(s.queries, budget, label(alg));
        assert.equal(spy.calls.length, budget, label(alg));
        assert.equal(new Set(spy.calls).size, budget, `${label(alg)}: an arch was evaluated twice`);
        // best = argmax over what was evaluated (first found wins ties)
        const bestSeen = Math.max(...spy.calls.map((i) => f(space.opsOf(i))));
        assert.equal(s.best?.score, bestSeen);
        assert.equal(s.done, true);
      }
    }
  });

  test('constraints: infeasible archs are never evaluated and do not count; the found arch is feasible', () => {
    const space = gridSpace(4, 4);
    const f = objective(space, 11, true);
    const c = edgeConstraint(space);
    const feasible = (i: number): boolean => c.feasible({ index: i, ops: space.opsOf(i) });
    const nFeasible = Array.from({ length: space.size }, (_, i) => i).filter(feasible).length;
    assert.equal(nFeasible, 144);
    for (const alg of ALGORITHMS) {
      const spy = new SpyEvaluator(f);
      const s = CellSearch.start({ space, constraint: c }, alg, 60, 3);
      runCellSearchSync(s, spy);
      assert.equal(s.queries, 60);
      assert.ok(spy.calls.every(feasible), `${label(alg)} evaluated an infeasible arch`);
      assert.ok(s.infeasibleSkipped > 0, `${label(alg)} never met an infeasible arch`);
      assert.ok(feasible(s.best?.index as number));
    }
  });

  test('a budget above the number of feasible archs stops when they are all queried (no endless loop)', () => {
    const space = gridSpace(4, 4);
    const f = objective(space, 13, true);
    const c = edgeConstraint(space);
    const opt = argmax(space, f, (i) => c.feasible({ index: i, ops: space.opsOf(i) }));
    for (const alg of ALGORITHMS) {
      const spy = new SpyEvaluator(f);
      const s = CellSearch.start({ space, constraint: c }, alg, space.size, 1);
      runCellSearchSync(s, spy);
      assert.equal(s.queries, 144, label(alg));
      assert.equal(s.exhausted, true);
      assert.equal(s.best?.index, opt.index, label(alg));
      assert.equal(s.ask(), null);
    }
  });

  test('resume from a JSON checkpoint gives exactly the uninterrupted run (all algorithms, with a constraint)', async () => {
    const space = gridSpace(5, 4);
    const f = objective(space, 17, true);
    const c = edgeConstraint(space);
    const budget = 200;
    for (const alg of ALGORITHMS) {
      for (const seed of [0, 1]) {
        const full = CellSearch.start({ space, constraint: c }, alg, budget, seed);
        const fullSpy = new SpyEvaluator(f);
        runCellSearchSync(full, fullSpy);
        for (const cut of [1, 10, 37, 120, 199]) {
          // run to `cut` queries, checkpoint through JSON, throw the search away, resume
          const first = CellSearch.start({ space, constraint: c }, alg, budget, seed);
          let saved: string | null = null;
          runCellSearchSync(first, new SpyEvaluator(f), (s) => {
            if (s.queries === cut) saved = JSON.stringify(s.snapshot());
          });
          assert.ok(saved, 'no checkpoint taken');
          const resumed = CellSearch.resume({ space, constraint: c }, JSON.parse(saved) as CellSearchState);
          const spy = new SpyEvaluator(f);
          await runCellSearch(resumed, spy);
          assert.deepEqual(spy.calls, fullSpy.calls.slice(cut), `${label(alg)} seed ${seed} cut ${cut}: different query sequence`);
          assert.deepEqual(resumed.snapshot(), full.snapshot(), `${label(alg)} seed ${seed} cut ${cut}: different final state`);
        }
      }
    }
  });

  test('an async evaluator gives the same search as a sync one; the same seed repeats, another seed differs', async () => {
    const space = gridSpace(5, 4);
    const f = objective(space, 19, true);
    for (const alg of ALGORITHMS) {
      const a = CellSearch.start({ space }, alg, 80, 4);
      runCellSearchSync(a, new SpyEvaluator(f));
      const b = CellSearch.start({ space }, alg, 80, 4);
      await runCellSearch(b, { description: 'async', evaluate: async (arch) => f(arch.ops) });
      assert.deepEqual(b.snapshot(), a.snapshot());
      const c = CellSearch.start({ space }, alg, 80, 5);
      runCellSearchSync(c, new SpyEvaluator(f));
      assert.notDeepEqual(c.snapshot().evaluated, a.snapshot().evaluated);
    }
  });

  test('misuse is rejected: tell without ask, non-finite scores, snapshot while pending, bad hyper-parameters', () => {
    const space = gridSpace(3, 3);
    const s = CellSearch.start({ space }, { name: 'random' }, 5, 0);
    assert.throws(() => s.tell(0, 1), /pending/);
    const a = s.ask();
    assert.ok(a);
    assert.throws(() => s.ask(), /before tell/);
    assert.throws(() => s.snapshot(), /pending/);
    assert.throws(() => s.tell(a.index, NaN), /non-finite/);
    assert.throws(() => CellSearch.start({ space }, { name: 'evolution', populationSize: 3, sampleSize: 4 }, 5, 0), /sampleSize/);
    assert.throws(() => CellSearch.start({ space }, { name: 'random' }, 0, 0), /budget/);
    assert.throws(() => CellSearch.resume({ space: gridSpace(3, 4) }, CellSearch.start({ space }, { name: 'random' }, 5, 0).snapshot()), /space/);
  });
});
