import * as path from 'node:path';
import { loadNb201TableAsync } from '../../../benchmarks/nb201/load';
import type { Nb201Table } from '../../../benchmarks/nb201/types';
import { DomainError, InvalidInputError } from '../../../common/errors';
import type { JobContext, JobKindDefinition } from '../../../jobs/job-kind';
import type { RunPool } from '../../../search/pool/run-in-pool';
import { assertConstraintsSatisfiable } from '../science/constraints';
import { checkNb201SearchParams } from '../science/params';
import type { Nb201SearchJobResult } from '../runner/evidence';
import type { Nb201SearchConstraints, Nb201SearchInput, Nb201SearchParams } from '../science/types';
import { NB201_SEARCH_TASK } from '../tasks';
import { Nb201SearchResultDto } from './nb201-search.result';
import { Nb201SearchSpec } from './nb201-search.spec';

export const NB201_SEARCH_KIND = 'nb201-search';
export { NB201_SEARCH_TASK };

export interface Nb201SearchKindDeps {
  runPool: RunPool;
  /** config.dataDir (the table is read from <dataDir>/nasbench201). */
  dataDir: string;
  /** Devices a latency constraint may name; defaults to the table's HELP devices. */
  knownDevices?: () => readonly string[];
  /** The NB201 table for validate(); defaults to loading it from dataDir once. */
  table?: () => Nb201Table | Promise<Nb201Table>;
}

/** Copy of the spec fields as plain data (the spec may be a class instance; pool input must be cloneable). */
export function toSearchParams(spec: Nb201SearchParams): Nb201SearchParams {
  const c = spec.constraints;
  const constraints: Nb201SearchConstraints | undefined = c && {
    ...(c.maxFlopsM !== undefined ? { maxFlopsM: c.maxFlopsM } : {}),
    ...(c.maxParamsM !== undefined ? { maxParamsM: c.maxParamsM } : {}),
    ...(c.maxLatencyMs !== undefined ? { maxLatencyMs: c.maxLatencyMs } : {}),
    ...(c.device !== undefined ? { device: c.device } : {}),
  };
  return {
    algorithm: spec.algorithm,
    dataset: spec.dataset,
    queries: spec.queries,
    seed: spec.seed,
    ...(constraints !== undefined ? { constraints } : {}),
    ...(spec.populationSize !== undefined ? { populationSize: spec.populationSize } : {}),
    ...(spec.sampleSize !== undefined ? { sampleSize: spec.sampleSize } : {}),
    ...(spec.improvement !== undefined ? { improvement: spec.improvement } : {}),
    ...(spec.searchEpochs !== undefined ? { searchEpochs: spec.searchEpochs } : {}),
  };
}

/** Re-throw an InvalidInputError with its fields under `spec.` (as the job service names DTO violations). */
function underSpec(e: unknown): never {
  if (e instanceof InvalidInputError) {
    const v = e.violations.map((x) => ({ ...x, field: `spec.${x.field}` }));
    throw new InvalidInputError(`invalid spec for kind ${NB201_SEARCH_KIND}: ${v.map((x) => `${x.field}: ${x.message}`).join('; ')}`, v);
  }
  throw e;
}

/** Job kind `nb201-search`: benchmark-backed architecture search, run as a task of the Piscina pool. */
export function createNb201SearchKind(deps: Nb201SearchKindDeps): JobKindDefinition<Nb201SearchSpec, Nb201SearchJobResult, unknown> {
  let tablePromise: Promise<Nb201Table> | null = null;
  const table = (): Promise<Nb201Table> => {
    if (deps.table) return Promise.resolve(deps.table());
    tablePromise ??= loadNb201TableAsync(path.join(deps.dataDir, 'nasbench201')).catch((e: unknown) => {
      tablePromise = null;
      throw e;
    });
    return tablePromise;
  };

  return {
    kind: NB201_SEARCH_KIND,
    summary:
      'Architecture search over the 15,625 NAS-Bench-201 cells (random search, regularised evolution or local search) with ' +
      'the benchmark table as evaluator (lookup, no training), optional FLOPs/params/latency constraints and a query budget; ' +
      'reports the found arch, its test accuracy and its regret against the best feasible arch.',
    specClass: Nb201SearchSpec,
    resultClass: Nb201SearchResultDto,

    async validate(spec: Nb201SearchSpec): Promise<void> {
      const params = toSearchParams(spec);
      try {
        checkNb201SearchParams(params);
      } catch (e) {
        underSpec(e);
      }
      const t = await table();
      try {
        assertConstraintsSatisfiable(t, params.dataset, params.constraints, deps.knownDevices?.() ?? t.devices);
      } catch (e) {
        if (e instanceof DomainError) underSpec(e);
        throw e;
      }
    },

    datasetId(): null {
      return null;
    },

    async run(ctx: JobContext<Nb201SearchSpec, unknown>): Promise<Nb201SearchJobResult> {
      const input: Nb201SearchInput = { ...toSearchParams(ctx.spec), dataDir: deps.dataDir };
      return deps.runPool(NB201_SEARCH_TASK, input, ctx);
    },
  };
}
