import type { Nb201Table } from '../../../benchmarks/nb201/types';
import { allOf } from '../../../search/common/evaluator';
import { CellSearch, CellSearchState, runCellSearch } from '../../../search/core';
import { nb201Constraints } from './constraints';
import { Nb201LookupEvaluator, reportMetricOf, searchMetricOf } from './metrics';
import { checkNb201SearchParams, paramsKey, resolveAlgorithmConfig } from './params';
import { archRef, constrainedOptimum } from './result';
import { nb201Space } from '../../../search/spaces/nb201-cell';
import type { Nb201SearchParams, Nb201SearchResult, Nb201TrajectoryPoint } from './types';

export const NB201_LOOKUP_EVALUATION = 'NAS-Bench-201 table lookup (no training)';

export const ACCOUNTING =
  'A query is one evaluation of a not-yet-seen arch that satisfies the constraints; the budget counts queries only. ' +
  'Proposals of an already evaluated arch are answered from a cache (duplicatesSkipped, no query). The search core ' +
  'checks the constraints (a cost-model look-up, no query) before any query: random draws, restarts and initial ' +
  'populations are feasible, evolution mutates an infeasible child further until it is feasible, local search visits ' +
  'feasible neighbours only; infeasibleSkipped counts every candidate the cost model rejected. The search sees only search-metric values; test accuracy and the constrained optimum are read from ' +
  'the table after the search.';

/** Checkpoint of an NB201 search job (what the pool task emits and gets back on resume). */
export interface Nb201SearchCheckpoint {
  kind: 'nb201-search';
  version: 1;
  /** paramsKey() of the run; a checkpoint of a different run is ignored. */
  params: string;
  search: CellSearchState;
}

export function isNb201SearchCheckpoint(c: unknown): c is Nb201SearchCheckpoint {
  const x = c as Partial<Nb201SearchCheckpoint> | null;
  return typeof x === 'object' && x !== null && x.kind === 'nb201-search' && x.version === 1 && typeof x.params === 'string' && typeof x.search === 'object';
}

export interface Nb201SearchHooks {
  /** After every query; `checkpoint()` returns the current resumable state. */
  afterQuery?(info: { queries: number; budget: number; bestSearchMetric: number; checkpoint: () => Nb201SearchCheckpoint }): void | Promise<void>;
  /** Told whether the run resumed from the given checkpoint (false: fresh start, e.g. the checkpoint was of another run). */
  onStart?(info: { resumed: boolean; queries: number }): void;
}

/**
 * Runs one NB201 search against the benchmark table and builds its result. The search sees the table only through
 * the cell space (arch encoding), the lookup evaluator (search metric) and the constraint predicates; the report
 * metric, regret and optimum are read afterwards. Resumes from `checkpoint` when it belongs to the same parameters.
 */
export async function runNb201Search(table: Nb201Table, params: Nb201SearchParams, checkpoint: unknown | null = null, hooks: Nb201SearchHooks = {}): Promise<Nb201SearchResult> {
  checkNb201SearchParams(params);
  const key = paramsKey(params);
  const algorithm = resolveAlgorithmConfig(params);
  const searchMetric = searchMetricOf(params.dataset, params.searchEpochs ?? 200);
  const reportMetric = reportMetricOf(params.dataset);
  const constraints = nb201Constraints(table, params.dataset, params.constraints);
  const constraint = allOf(constraints);
  const opts = { space: nb201Space(table), constraint: constraints.length ? constraint : undefined };
  const evaluator = new Nb201LookupEvaluator(table, searchMetric);

  const resumable = isNb201SearchCheckpoint(checkpoint) && checkpoint.params === key;
  const search = resumable ? CellSearch.resume(opts, checkpoint.search) : CellSearch.start(opts, algorithm, params.queries, params.seed);
  hooks.onStart?.({ resumed: resumable, queries: search.queries });
  const afterQuery = hooks.afterQuery;
  await runCellSearch(
    search,
    evaluator,
    afterQuery &&
      ((s) =>
        afterQuery({
          queries: s.queries,
          budget: s.budget,
          bestSearchMetric: s.best?.score ?? NaN,
          checkpoint: () => ({ kind: 'nb201-search', version: 1, params: key, search: s.snapshot() }),
        })),
  );

  // ---- ground truth, after the search ----
  const best = search.best;
  if (best === null) throw new RangeError('the search evaluated no arch'); // cannot happen: budget >= 1 and a feasible arch exists
  const test = (i: number): number => table.accuracy(i, reportMetric.dataset, reportMetric.split, reportMetric.epochs);
  const optimum = constrainedOptimum(table, reportMetric, constraint);
  const trajectory: Nb201TrajectoryPoint[] = search.trajectory.map((t) => ({ queries: t.queries, bestSearchMetric: t.score, bestReportMetric: test(t.index) }));
  const last = trajectory[trajectory.length - 1];
  if (last.queries !== search.queries) trajectory.push({ ...last, queries: search.queries });
  const device = params.constraints?.device;
  const latency = device !== undefined ? table.latency(best.index, device) : undefined;
  const bestTest = test(best.index);
  return {
    evaluation: searchMetric.epochs === 200 ? NB201_LOOKUP_EVALUATION : `${NB201_LOOKUP_EVALUATION}; search metric from the ${searchMetric.epochs}-epoch short schedule`,
    algorithm,
    dataset: params.dataset,
    seed: params.seed,
    budget: params.queries,
    searchMetric,
    reportMetric,
    constraints: constraints.map((c) => ({ field: c.field, description: c.description })),
    bestArch: archRef(table, best.index),
    bestRecord: {
      searchAccuracy: best.score,
      testAccuracy: bestTest,
      flopsM: table.flops(best.index, params.dataset),
      paramsM: table.params(best.index, params.dataset),
      ...(device !== undefined ? { device, latencyMs: Number.isFinite(latency) ? (latency as number) : null } : {}),
    },
    constrainedOptimum: optimum,
    regret: optimum.testAccuracy - bestTest,
    queriesUsed: search.queries,
    duplicatesSkipped: search.duplicatesSkipped,
    infeasibleSkipped: search.infeasibleSkipped,
    spaceExhausted: search.exhausted,
    accounting: ACCOUNTING,
    trajectory,
  };
}
