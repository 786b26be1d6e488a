import type { ArchConstraint, ArchRef } from '../common/evaluator';
import { Rng } from '../../common/rng';
import type { CellSearchSpace } from '../common/space';
import { RegularizedEvolution } from './evolution';
import { LocalSearch } from './local';
import { RandomSearch } from './random';
import type { AlgorithmConfig, CellSearchState, Scored, SearchServices, SearchStrategy, TrajectoryStep } from './types';

/** Uniform draws tried before randomUnknown() switches to drawing from the explicit list of unknown archs. */
const RANDOM_DRAW_TRIES = 64;

export interface CellSearchOptions {
  space: CellSearchSpace;
  /** Feasibility predicate from a cost source; omit for an unconstrained search. */
  constraint?: ArchConstraint;
}

function createStrategy(cfg: AlgorithmConfig, json?: unknown): SearchStrategy {
  switch (cfg.name) {
    case 'random':
      return new RandomSearch();
    case 'evolution':
      return new RegularizedEvolution(cfg.populationSize, cfg.sampleSize, json);
    case 'local':
      return new LocalSearch(cfg.improvement, json);
  }
}

/**
 * One search run as an ask/tell loop over a cell space. The core owns the bookkeeping every algorithm shares:
 * - a query is one evaluation of a not-yet-seen feasible arch; the budget counts queries only;
 * - a proposal of an already evaluated arch is a duplicate: its cached score goes back to the algorithm, no query;
 * - constraints are handled here for every algorithm: a constraint is a cost look-up (FLOPs/params model, latency
 *   table), not a measurement, so checking it consumes no query. randomUnknown() returns only feasible archs
 *   (feasible initial populations, restarts and random samples), strategies check their candidates with feasible()
 *   (evolution mutates until the child is feasible, local search visits only feasible neighbours), and a proposal
 *   that still violates the constraint is skipped without evaluation (infeasibleSkipped counts every rejected
 *   candidate), no query;
 * - the best arch is the one with the highest score (first found wins ties), with its trajectory.
 * The algorithm sees only scores and feasibility. snapshot() between tell() and the next ask() captures the whole
 * state as JSON; CellSearch.resume(snapshot) continues bit-for-bit.
 */
export class CellSearch implements SearchServices {
  readonly space: CellSearchSpace;
  private readonly constraint: ArchConstraint | undefined;
  private readonly rng: Rng;
  private readonly strategy: SearchStrategy;
  private readonly scores = new Map<number, number>();
  private readonly infeasible = new Set<number>();
  private trajectoryRows: TrajectoryStep[] = [];
  private queryCount = 0;
  private duplicates = 0;
  private infeasibleCount = 0;
  private pending: number | null = null;

  private constructor(
    opts: CellSearchOptions,
    readonly algorithm: AlgorithmConfig,
    readonly budget: number,
    rng: Rng,
    strategyJson?: unknown,
  ) {
    if (!Number.isInteger(budget) || budget < 1) throw new RangeError(`budget must be an integer >= 1, got ${budget}`);
    this.space = opts.space;
    this.constraint = opts.constraint;
    this.rng = rng;
    this.strategy = createStrategy(algorithm, strategyJson);
  }

  static start(opts: CellSearchOptions, algorithm: AlgorithmConfig, budget: number, seed: number): CellSearch {
    return new CellSearch(opts, algorithm, budget, Rng.fromSeed(seed));
  }

  /** Continue from a snapshot(); the space and constraint must be the ones the snapshot was taken with. */
  static resume(opts: CellSearchOptions, state: CellSearchState): CellSearch {
    if (state?.format !== 'cell-search-state' || state.version !== 1) throw new RangeError('not a cell-search-state v1 checkpoint');
    if (state.spaceSize !== opts.space.size) throw new RangeError(`checkpoint is for a space of ${state.spaceSize} archs, not ${opts.space.size}`);
    if (state.evaluated.length !== state.scores.length || state.evaluated.length !== state.queries) throw new RangeError('inconsistent checkpoint');
    const s = new CellSearch(opts, state.algorithm, state.budget, Rng.fromState(state.rng), state.strategy);
    state.evaluated.forEach((index, i) => s.scores.set(index, state.scores[i]));
    for (const i of state.infeasible) s.infeasible.add(i);
    s.trajectoryRows = state.trajectory.map((t) => ({ ...t }));
    s.queryCount = state.queries;
    s.duplicates = state.duplicatesSkipped;
    s.infeasibleCount = state.infeasibleSkipped;
    return s;
  }

  get queries(): number {
    return this.queryCount;
  }
  get duplicatesSkipped(): number {
    return this.duplicates;
  }
  get infeasibleSkipped(): number {
    return this.infeasibleCount;
  }
  /** Every arch of the space is evaluated or known infeasible. */
  get exhausted(): boolean {
    return this.scores.size + this.infeasible.size >= this.space.size;
  }
  get done(): boolean {
    return this.pending === null && (this.queryCount >= this.budget || this.exhausted);
  }
  get best(): Scored | null {
    const t = this.trajectoryRows[this.trajectoryRows.length - 1];
    return t ? { index: t.index, score: t.score } : null;
  }
  /** Points where the best-so-far changed. */
  get trajectory(): readonly TrajectoryStep[] {
    return this.trajectoryRows;
  }
  /** Queried archs with their scores, in query order. */
  evaluatedArchs(): Scored[] {
    return [...this.scores].map(([index, score]) => ({ index, score }));
  }

  /** Next arch to evaluate, or null when the budget is spent or no unseen feasible arch is left. */
  ask(): ArchRef | null {
    if (this.pending !== null) throw new Error(`ask() called again before tell() for arch ${this.pending}`);
    for (;;) {
      if (this.queryCount >= this.budget || this.exhausted) return null;
      const index = this.strategy.propose(this);
      const cached = this.scores.get(index);
      if (cached !== undefined) {
        this.duplicates++;
        this.strategy.onScore(this, index, cached, false);
        continue;
      }
      if (!this.feasible(index)) {
        this.strategy.onInfeasible(this, index);
        continue;
      }
      this.pending = index;
      return { index, ops: this.space.opsOf(index) };
    }
  }

  /** Score of the arch the last ask() returned. */
  tell(index: number, score: number): void {
    if (this.pending !== index) throw new Error(`tell(${index}) does not answer the pending ask (${this.pending})`);
    if (!Number.isFinite(score)) throw new RangeError(`evaluator returned a non-finite score (${score}) for arch ${index}`);
    this.pending = null;
    this.scores.set(index, score);
    this.queryCount++;
    const best = this.best;
    if (best === null || score > best.score) this.trajectoryRows.push({ queries: this.queryCount, index, score });
    this.strategy.onScore(this, index, score, true);
  }

  snapshot(): CellSearchState {
    if (this.pending !== null) throw new Error('snapshot() while an evaluation is pending; take it after tell()');
    return {
      format: 'cell-search-state',
      version: 1,
      algorithm: { ...this.algorithm },
      budget: this.budget,
      spaceSize: this.space.size,
      rng: this.rng.state(),
      queries: this.queryCount,
      duplicatesSkipped: this.duplicates,
      infeasibleSkipped: this.infeasibleCount,
      evaluated: [...this.scores.keys()],
      scores: [...this.scores.values()],
      infeasible: [...this.infeasible].sort((a, b) => a - b),
      trajectory: this.trajectoryRows.map((t) => ({ ...t })),
      strategy: this.strategy.toJSON(),
    };
  }

  // SearchServices

  randomUnknown(): number {
    const n = this.space.size;
    for (let t = 0; t < RANDOM_DRAW_TRIES; t++) {
      const i = this.rng.int(n);
      if (this.scores.has(i)) this.duplicates++;
      else if (this.feasible(i)) return i;
    }
    // rejection is slow near exhaustion: draw from the explicit list of candidates, dropping infeasible ones as found
    const unknown: number[] = [];
    for (let i = 0; i < n; i++) if (!this.scores.has(i) && !this.infeasible.has(i)) unknown.push(i);
    if (unknown.length === 0) throw new Error('randomUnknown(): every arch is evaluated or infeasible');
    let last = -1;
    while (unknown.length > 0) {
      const k = this.rng.int(unknown.length);
      last = unknown[k];
      if (this.feasible(last)) return last;
      unknown[k] = unknown[unknown.length - 1];
      unknown.pop();
    }
    return last; // no feasible arch is left: every arch is now known, the core rejects this one and stops (exhausted)
  }

  feasible(index: number): boolean {
    if (this.infeasible.has(index)) {
      this.infeasibleCount++;
      return false;
    }
    if (this.constraint === undefined || this.constraint.feasible({ index, ops: this.space.opsOf(index) })) return true;
    this.infeasible.add(index);
    this.infeasibleCount++;
    return false;
  }

  evaluated(index: number): boolean {
    return this.scores.has(index);
  }

  randomInt(n: number): number {
    return this.rng.int(n);
  }

  shuffle<T>(a: T[]): T[] {
    return this.rng.shuffle(a);
  }

  sampleIndices(n: number, k: number): number[] {
    return this.rng.sampleIndices(n, k);
  }
}
