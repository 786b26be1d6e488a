import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadNb201Table } from '../../src/benchmarks/nb201/load';
import type { Nb201Dataset, Nb201Epochs, Nb201Split, Nb201Table } from '../../src/benchmarks/nb201/types';
import { InvalidInputError } from '../../src/common/errors';
import { loadConfig } from '../../src/config/config';
import { assertConstraintsSatisfiable } from '../../src/methods/nb201-search/science/constraints';
import { runNb201Search } from '../../src/methods/nb201-search/science/search';
import type { Nb201SearchConstraints, Nb201SearchDataset, Nb201SearchParams, Nb201SearchResult } from '../../src/methods/nb201-search/science/types';

let table: Nb201Table;
before(() => {
  table = loadNb201Table(path.join(loadConfig().dataDir, 'nasbench201'));
});

const VALID: Record<Nb201SearchDataset, Nb201Dataset> = { cifar10: 'cifar10-valid', cifar100: 'cifar100', 'ImageNet16-120': 'ImageNet16-120' };

/** Feasibility written out independently of src/methods/nb201-search/science/constraints.ts. */
function feasible(t: Nb201Table, i: number, ds: Nb201SearchDataset, c: Nb201SearchConstraints = {}): boolean {
  if (c.maxFlopsM !== undefined && !(t.flops(i, ds) <= c.maxFlopsM)) return false;
  if (c.maxParamsM !== undefined && !(t.params(i, ds) <= c.maxParamsM)) return false;
  if (c.maxLatencyMs !== undefined && !(t.latency(i, c.device as string) <= c.maxLatencyMs)) return false;
  return true;
}

function bruteForceOptimum(t: Nb201Table, ds: Nb201SearchDataset, c?: Nb201SearchConstraints): { index: number; acc: number; n: number } {
  let best = { index: -1, acc: -Infinity, n: 0 };
  for (let i = 0; i < t.size; i++) {
    if (!feasible(t, i, ds, c)) continue;
    best.n++;
    const a = t.accuracy(i, ds, 'test', 200);
    if (a > best.acc) best = { index: i, acc: a, n: best.n };
  }
  return best;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('NB201 search on the real table', () => {
  test('regret is exact (brute force over all 15,625 archs) and >= 0; record, budget and trajectory are consistent', async () => {
    const cases: Array<Omit<Nb201SearchParams, 'seed'>> = [
      { algorithm: 'random', dataset: 'cifar10', queries: 100 },
      { algorithm: 'evolution', dataset: 'cifar100', queries: 150, constraints: { maxFlopsM: 60 } },
      { algorithm: 'local', dataset: 'ImageNet16-120', queries: 120, constraints: { maxLatencyMs: 8, device: 'pixel3' } },
      { algorithm: 'local', improvement: 'first', dataset: 'cifar10', queries: 200, constraints: { maxParamsM: 0.5, maxFlopsM: 80 } },
      { algorithm: 'evolution', dataset: 'cifar10', queries: 80, constraints: { device: 'raspi4' } },
    ];
    for (const base of cases) {
      for (const seed of [0, 1, 2]) {
        const p: Nb201SearchParams = { ...base, seed };
        const r = await runNb201Search(table, p);
        const opt = bruteForceOptimum(table, p.dataset, p.constraints);
        const b = r.bestArch.index;
        assert.equal(r.constrainedOptimum.testAccuracy, opt.acc);
        assert.equal(r.constrainedOptimum.feasibleArchs, opt.n);
        assert.equal(r.constrainedOptimum.index, opt.index);
        assert.equal(r.regret, opt.acc - table.accuracy(b, p.dataset, 'test', 200));
        assert.ok(r.regret >= 0);
        assert.ok(feasible(table, b, p.dataset, p.constraints), 'found arch violates the constraints');
        assert.equal(r.bestRecord.searchAccuracy, table.accuracy(b, VALID[p.dataset], 'valid', 200));
        assert.equal(r.bestRecord.testAccuracy, table.accuracy(b, p.dataset, 'test', 200));
        assert.equal(r.bestRecord.flopsM, table.flops(b, p.dataset));
        assert.equal(r.bestArch.archStr, table.archStr(b));
        if (p.constraints?.device) assert.equal(r.bestRecord.latencyMs, table.latency(b, p.constraints.device));
        else assert.equal(r.bestRecord.latencyMs, undefined);
        assert.equal(r.queriesUsed, p.queries);
        assert.equal(r.evaluation, 'NAS-Bench-201 table lookup (no training)');
        assert.deepEqual([r.searchMetric.dataset, r.searchMetric.split, r.reportMetric.dataset, r.reportMetric.split], [VALID[p.dataset], 'valid', p.dataset, 'test']);
        // trajectory: only improvements of the search metric, then the last point
        const tr = r.trajectory;
        for (let i = 1; i < tr.length; i++) {
          assert.ok(tr[i].queries > tr[i - 1].queries);
          if (i < tr.length - 1) assert.ok(tr[i].bestSearchMetric > tr[i - 1].bestSearchMetric);
        }
        assert.equal(tr[tr.length - 1].queries, r.queriesUsed);
        assert.equal(tr[tr.length - 1].bestSearchMetric, r.bestRecord.searchAccuracy);
        assert.equal(tr[tr.length - 1].bestReportMetric, r.bestRecord.testAccuracy);
        assert.deepEqual(JSON.parse(JSON.stringify(r)), r, 'result is not plain JSON');
      }
    }
  });

  test('the search never reads the report metric (test accuracy): only the valid column, and only for queried archs', async () => {
    const reads: Array<{ split: Nb201Split; queriesSoFar: number }> = [];
    let queriesSoFar = 0;
    const spy: Nb201Table = Object.assign(Object.create(table) as Nb201Table, {
      accuracy(i: number, d: Nb201Dataset, s: Nb201Split, e: Nb201Epochs): number {
        reads.push({ split: s, queriesSoFar });
        return table.accuracy(i, d, s, e);
      },
    });
    for (const algorithm of ['random', 'evolution', 'local'] as const) {
      reads.length = 0;
      queriesSoFar = 0;
      const r = await runNb201Search(spy, { algorithm, dataset: 'cifar100', queries: 200, seed: 11 }, null, {
        afterQuery: ({ queries }) => {
          queriesSoFar = queries;
        },
      });
      const duringSearch = reads.filter((x) => x.queriesSoFar < r.queriesUsed);
      assert.ok(duringSearch.every((x) => x.split === 'valid'), `${algorithm}: test accuracy read during the search`);
      // one valid read per query (the evaluator), +1 check of the column at construction
      assert.equal(reads.filter((x) => x.split === 'valid').length, r.queriesUsed + 1);
    }
  });

  test('evolution and local search beat random search on mean regret at 300 queries on cifar10 (30 seeds)', async () => {
    // Measured with this code (seeds 0..29, default hyper-parameters): mean regret random 0.406 pp (std 0.228),
    // evolution 0.000 pp (std 0.002), local (best improvement) 0.029 pp (std 0.157). Standard error of the
    // random-vs-other difference ~0.05 pp, so a 0.2 pp margin is > 3.5 standard errors below the measured gaps: the test
    // is reliable, and it fails if either algorithm is no better than random search.
    const regret: Record<string, number[]> = { random: [], evolution: [], local: [] };
    for (const algorithm of ['random', 'evolution', 'local'] as const) {
      for (let seed = 0; seed < 30; seed++) {
        const r: Nb201SearchResult = await runNb201Search(table, { algorithm, dataset: 'cifar10', queries: 300, seed });
        regret[algorithm].push(r.regret);
      }
    }
    const m = { random: mean(regret.random), evolution: mean(regret.evolution), local: mean(regret.local) };
    assert.ok(m.random - m.evolution > 0.2, `random ${m.random} vs evolution ${m.evolution}`);
    assert.ok(m.random - m.local > 0.2, `random ${m.random} vs local ${m.local}`);
  });

  test('the 12-epoch search metric is labelled as such', async () => {
    const r = await runNb201Search(table, { algorithm: 'random', dataset: 'cifar10', queries: 20, seed: 1, searchEpochs: 12 });
    assert.equal(r.searchMetric.epochs, 12);
    assert.match(r.evaluation, /no training.*12-epoch short schedule/);
    assert.equal(r.bestRecord.searchAccuracy, table.accuracy(r.bestArch.index, 'cifar10-valid', 'valid', 12));
  });

  test('unsatisfiable constraints, unknown devices and a latency bound without device are rejected naming the field', () => {
    const fieldsOf = (f: () => unknown): string[] => {
      try {
        f();
      } catch (e) {
        assert.ok(e instanceof InvalidInputError, String(e));
        return e.violations.map((v) => v.field);
      }
      assert.fail('no error');
    };
    assert.deepEqual(fieldsOf(() => assertConstraintsSatisfiable(table, 'cifar10', { maxFlopsM: 5 })), ['constraints.maxFlopsM']);
    assert.deepEqual(fieldsOf(() => assertConstraintsSatisfiable(table, 'cifar100', { maxParamsM: 0.01 })), ['constraints.maxParamsM']);
    assert.deepEqual(fieldsOf(() => assertConstraintsSatisfiable(table, 'cifar10', { maxLatencyMs: 0.001, device: 'pixel3' })), ['constraints.maxLatencyMs']);
    assert.deepEqual(fieldsOf(() => assertConstraintsSatisfiable(table, 'cifar10', { maxLatencyMs: 5, device: 'toaster' })), ['constraints.device']);
    assert.deepEqual(fieldsOf(() => assertConstraintsSatisfiable(table, 'cifar10', { maxLatencyMs: 5 })), ['constraints.device']);
    // each bound alone is satisfiable, both together are not: the fastest pixel3 arch has convolutions
    let fastest = 0;
    for (let i = 1; i < table.size; i++) if (table.latency(i, 'pixel3') < table.latency(fastest, 'pixel3')) fastest = i;
    const both = { maxFlopsM: 7.8, maxLatencyMs: table.latency(fastest, 'pixel3'), device: 'pixel3' };
    assert.ok(table.flops(fastest, 'cifar10') > 7.8);
    assert.deepEqual(fieldsOf(() => assertConstraintsSatisfiable(table, 'cifar10', both)), ['constraints.maxFlopsM', 'constraints.maxLatencyMs']);
    assert.equal(assertConstraintsSatisfiable(table, 'cifar10', { maxFlopsM: 7.8 }), bruteForceOptimum(table, 'cifar10', { maxFlopsM: 7.8 }).n);
    assert.equal(assertConstraintsSatisfiable(table, 'cifar10', undefined), 15625);
  });
});
