import * as path from 'node:path';
import { loadNb201Table } from '../../../benchmarks/nb201/load';
import type { Nb201Table } from '../../../benchmarks/nb201/types';
import type { PoolMessage } from '../../../search/pool/protocol';
import { checkNb201SearchParams } from '../science/params';
import { assertConstraintsSatisfiable } from '../science/constraints';
import { runNb201Search } from '../science/search';
import { Nb201SearchJobResult, nb201SearchEvidence } from './evidence';
import type { Nb201SearchInput, Nb201SearchParams } from '../science/types';

/** At most one progress message per this many ms (<= 20 per second). */
export const PROGRESS_INTERVAL_MS = 50;
/** Checkpoints per run (one every budget/CHECKPOINTS_PER_RUN queries). */
export const CHECKPOINTS_PER_RUN = 10;

/** Tables loaded in this thread, by directory (loaded once per worker thread). */
const tables = new Map<string, Nb201Table>();

function tableFor(dataDir: string): Nb201Table {
  const dir = path.join(dataDir, 'nasbench201');
  let t = tables.get(dir);
  if (!t) {
    t = loadNb201Table(dir);
    tables.set(dir, t);
  }
  return t;
}

function paramsOf(input: Nb201SearchInput): Nb201SearchParams {
  const { dataDir: _dataDir, ...params } = input;
  return params;
}

/**
 * Pool task 'nb201-search': one search over NAS-Bench-201 with the table as evaluator. Emits progress (throttled)
 * and a checkpoint every ~10% of the budget; resumes from `checkpoint` when it belongs to the same parameters.
 */
export async function nb201SearchTask(input: Nb201SearchInput, checkpoint: unknown | null, emit: (m: PoolMessage) => void): Promise<Nb201SearchJobResult> {
  const params = paramsOf(input);
  checkNb201SearchParams(params);
  emit({ type: 'progress', fraction: 0, phase: 'loading', message: 'loading the NAS-Bench-201 table' });
  const table = tableFor(input.dataDir);
  assertConstraintsSatisfiable(table, params.dataset, params.constraints);

  const every = Math.max(1, Math.ceil(params.queries / CHECKPOINTS_PER_RUN));
  let lastProgress = 0;
  const result = await runNb201Search(table, params, checkpoint, {
    onStart: ({ resumed, queries }) =>
      emit({
        type: 'progress',
        fraction: queries / params.queries,
        phase: 'search',
        message: resumed ? `resumed from checkpoint at ${queries} queries` : `started ${params.algorithm} search`,
        data: { queries, best: null },
      }),
    afterQuery: ({ queries, budget, bestSearchMetric, checkpoint: snapshot }) => {
      if (queries % every === 0 && queries < budget) emit({ type: 'checkpoint', state: snapshot() });
      const now = Date.now();
      if (now - lastProgress >= PROGRESS_INTERVAL_MS) {
        lastProgress = now;
        emit({
          type: 'progress',
          fraction: queries / budget,
          phase: 'search',
          message: `${queries}/${budget} queries, best search metric ${bestSearchMetric.toFixed(3)}`,
          data: { queries, best: bestSearchMetric },
        });
      }
    },
  });
  emit({
    type: 'progress',
    fraction: 1,
    phase: 'done',
    message: `${result.queriesUsed} queries, regret ${result.regret.toFixed(3)} pp`,
    data: { queries: result.queriesUsed, best: result.bestRecord.searchAccuracy },
  });
  return { ...result, evidence: nb201SearchEvidence(result) };
}
