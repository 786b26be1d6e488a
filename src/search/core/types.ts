import type { RngState } from '../../common/rng';
import type { CellSearchSpace } from '../common/space';

export const SEARCH_ALGORITHMS = ['random', 'evolution', 'local'] as const;
export type SearchAlgorithmName = (typeof SEARCH_ALGORITHMS)[number];

export const LOCAL_SEARCH_IMPROVEMENTS = ['best', 'first'] as const;
export type LocalSearchImprovement = (typeof LOCAL_SEARCH_IMPROVEMENTS)[number];

/** Algorithm and its hyper-parameters (all resolved; defaults are filled in by resolveAlgorithmConfig). */
export type AlgorithmConfig =
  | { name: 'random' }
  | { name: 'evolution'; populationSize: number; sampleSize: number }
  | { name: 'local'; improvement: LocalSearchImprovement };

/** An arch with the score the evaluator gave it. */
export interface Scored {
  index: number;
  score: number;
}

/** Best-so-far changed to `index` (score `score`) after `queries` queries. */
export interface TrajectoryStep {
  queries: number;
  index: number;
  score: number;
}

/** What a strategy may ask of the search it runs in (no scores beyond its own callbacks, no ground truth). */
export interface SearchServices {
  readonly space: CellSearchSpace;
  /**
   * Uniformly random arch that is not evaluated and satisfies the constraints (precondition: one exists). Draws that
   * violate a constraint are rejected by the cost model at no query cost, so every returned arch is worth a query.
   * Only when no unseen feasible arch is left does it return an infeasible one (the space is then exhausted).
   */
  randomUnknown(): number;
  /**
   * Whether `index` satisfies the constraints: a cost look-up (FLOPs/params model, latency table), not an evaluation;
   * it consumes no query. An infeasible answer is remembered and counted in infeasibleSkipped.
   */
  feasible(index: number): boolean;
  /** Whether `index` has been queried already (its score is cached). */
  evaluated(index: number): boolean;
  /** Random stream of this search (part of the checkpoint). */
  randomInt(n: number): number;
  shuffle<T>(a: T[]): T[];
  sampleIndices(n: number, k: number): number[];
}

/**
 * An algorithm as a proposal strategy: the search core proposes, filters duplicates (cached scores) and infeasible
 * archs, queries the evaluator for new ones and reports back. Its state must be plain JSON.
 */
export interface SearchStrategy {
  /**
   * Next candidate arch; it may be a duplicate or infeasible (the core filters and reports back). Strategies should
   * use feasible() to propose feasible archs (the core handles constraints for every algorithm that way).
   */
  propose(s: SearchServices): number;
  /** Score of the proposed arch: `fresh` = it was just queried, else it came from the cache (duplicate). */
  onScore(s: SearchServices, index: number, score: number, fresh: boolean): void;
  /** The proposed arch violates the constraints and was not evaluated. */
  onInfeasible(s: SearchServices, index: number): void;
  toJSON(): unknown;
}

/** Checkpoint of a whole search: everything needed to continue bit-for-bit. */
export interface CellSearchState {
  format: 'cell-search-state';
  version: 1;
  algorithm: AlgorithmConfig;
  budget: number;
  spaceSize: number;
  rng: RngState;
  queries: number;
  duplicatesSkipped: number;
  infeasibleSkipped: number;
  /** Queried archs in query order, and their scores. */
  evaluated: number[];
  scores: number[];
  /** Archs found infeasible (ascending). */
  infeasible: number[];
  trajectory: TrajectoryStep[];
  strategy: unknown;
}
