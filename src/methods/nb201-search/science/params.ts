import { FieldViolation, InvalidInputError, violation } from '../../../common/errors';
import { AlgorithmConfig, LOCAL_SEARCH_IMPROVEMENTS, SEARCH_ALGORITHMS } from '../../../search/core/types';
import { NB201_SEARCH_DATASETS, NB201_SEARCH_EPOCHS, Nb201SearchParams } from './types';

export const NB201_SPACE_SIZE = 15625;
export const LOCAL_SEARCH_DEFAULT_IMPROVEMENT = 'best' as const;

/**
 * Regularised evolution's defaults for NB201 searches, selected on the search metric only (valid accuracy; test
 * accuracy not read) over 15 (P, S) settings, both constraint settings, 3 datasets, 100/300/1,000 queries and 300 seeds
 * disjoint from bench:nb201-regret's: lowest mean rank (`npm run bench:nb201-evolution-tuning`,
 * benchmarks/results/nb201-evolution-tuning.json). The search core's EVOLUTION_DEFAULTS (P=30, S=10) stay for other spaces.
 */
export const NB201_EVOLUTION_DEFAULTS = { populationSize: 30, sampleSize: 15 } as const;

/** Resolved algorithm and hyper-parameters (defaults filled in). Call after checkNb201SearchParams. */
export function resolveAlgorithmConfig(p: Nb201SearchParams): AlgorithmConfig {
  switch (p.algorithm) {
    case 'random':
      return { name: 'random' };
    case 'evolution': {
      const populationSize = p.populationSize ?? NB201_EVOLUTION_DEFAULTS.populationSize;
      return { name: 'evolution', populationSize, sampleSize: p.sampleSize ?? Math.min(NB201_EVOLUTION_DEFAULTS.sampleSize, populationSize) };
    }
    case 'local':
      return { name: 'local', improvement: p.improvement ?? LOCAL_SEARCH_DEFAULT_IMPROVEMENT };
  }
}

const isInt = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): boolean => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const isPos = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v > 0;

/**
 * Field-level and cross-field checks of search parameters, in plain TypeScript (the pool task runs them too, so a
 * task input that did not come through the DTO is still checked). Throws InvalidInputError naming every field.
 */
export function checkNb201SearchParams(p: Nb201SearchParams): void {
  const v: FieldViolation[] = [];
  if (!SEARCH_ALGORITHMS.includes(p.algorithm)) v.push(violation('algorithm', 'isIn', `must be one of: ${SEARCH_ALGORITHMS.join(', ')}`));
  if (!NB201_SEARCH_DATASETS.includes(p.dataset)) v.push(violation('dataset', 'isIn', `must be one of: ${NB201_SEARCH_DATASETS.join(', ')}`));
  if (!isInt(p.queries, 1, NB201_SPACE_SIZE)) v.push(violation('queries', 'range', `must be an integer in 1..${NB201_SPACE_SIZE}`));
  if (!isInt(p.seed, 0)) v.push(violation('seed', 'min', 'must be an integer >= 0'));
  if (p.searchEpochs !== undefined && !NB201_SEARCH_EPOCHS.includes(p.searchEpochs)) v.push(violation('searchEpochs', 'isIn', 'must be 200 or 12'));
  const c = p.constraints;
  if (c !== undefined) {
    for (const f of ['maxFlopsM', 'maxParamsM', 'maxLatencyMs'] as const) {
      if (c[f] !== undefined && !isPos(c[f])) v.push(violation(`constraints.${f}`, 'isPositive', 'must be a positive number'));
    }
    if (c.device !== undefined && (typeof c.device !== 'string' || c.device === '')) v.push(violation('constraints.device', 'isString', 'must be a device name'));
    if (c.maxLatencyMs !== undefined && c.device === undefined) v.push(violation('constraints.device', 'requiredWith', 'device is required when constraints.maxLatencyMs is set'));
  }
  if (p.algorithm !== 'evolution') {
    if (p.populationSize !== undefined) v.push(violation('populationSize', 'algorithm', "applies to algorithm 'evolution' only"));
    if (p.sampleSize !== undefined) v.push(violation('sampleSize', 'algorithm', "applies to algorithm 'evolution' only"));
  } else {
    if (p.populationSize !== undefined && !isInt(p.populationSize, 1, NB201_SPACE_SIZE)) v.push(violation('populationSize', 'range', `must be an integer in 1..${NB201_SPACE_SIZE}`));
    if (p.sampleSize !== undefined && !isInt(p.sampleSize, 1, NB201_SPACE_SIZE)) v.push(violation('sampleSize', 'range', `must be an integer in 1..${NB201_SPACE_SIZE}`));
    const pop = p.populationSize ?? NB201_EVOLUTION_DEFAULTS.populationSize;
    if (p.sampleSize !== undefined && isInt(p.sampleSize, 1) && p.sampleSize > pop) v.push(violation('sampleSize', 'max', `must be <= populationSize (${pop})`));
  }
  if (p.algorithm !== 'local' && p.improvement !== undefined) v.push(violation('improvement', 'algorithm', "applies to algorithm 'local' only"));
  if (p.improvement !== undefined && !LOCAL_SEARCH_IMPROVEMENTS.includes(p.improvement)) v.push(violation('improvement', 'isIn', `must be one of: ${LOCAL_SEARCH_IMPROVEMENTS.join(', ')}`));
  if (v.length) throw new InvalidInputError(v.map((x) => `${x.field}: ${x.message}`).join('; '), v);
}

/** Canonical JSON of everything that determines a run (a checkpoint resumes only a run with the same key). */
export function paramsKey(p: Nb201SearchParams): string {
  const c = p.constraints ?? {};
  return JSON.stringify({
    algorithm: resolveAlgorithmConfig(p),
    dataset: p.dataset,
    queries: p.queries,
    seed: p.seed,
    searchEpochs: p.searchEpochs ?? 200,
    constraints: { maxFlopsM: c.maxFlopsM ?? null, maxParamsM: c.maxParamsM ?? null, maxLatencyMs: c.maxLatencyMs ?? null, device: c.device ?? null },
  });
}
