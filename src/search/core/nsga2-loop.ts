import { Rng, RngState } from '../../common/rng';
import { Individual, constrainedRanking, crowdedTournament, nsga2Select } from './nsga2';

/**
 * A genome type as the generic NSGA-II loop needs it. The loop never looks inside a genome: any method (ScaleNet's
 * MCEA over base models, NAS-Bench-Macro under FLOPs budgets, NB201 cells) plugs in its own encoding.
 */
export interface Nsga2Problem<G> {
  /** A random genome (uniform over the encoding or the method's own sampler). */
  sample(rng: Rng): G;
  /** A mutated copy (must not modify `g`). */
  mutate(g: G, rng: Rng): G;
  /** Optional recombination of two parents into one child (must not modify them). */
  crossover?(a: G, b: G, rng: Rng): G;
  /** Identity of a genome: equal keys are the same candidate (evaluated once, cached). */
  key(g: G): string;
  /**
   * Total constraint violation, 0 = feasible (e.g. max(0, FLOPs - budget) / budget summed over constraints). A cost
   * look-up, not an evaluation: calling it consumes no evaluation budget; infeasible genomes are never evaluated.
   */
  violation(g: G): number;
}

/** Objective vector of a genome (all objectives MINIMISED). May be async (supernet or training evaluation). */
export type Nsga2Evaluate<G> = (g: G) => readonly number[] | Promise<readonly number[]>;

export interface Nsga2Options {
  populationSize: number;
  /** Generations after the initial population; evaluations <= populationSize * (generations + 1). */
  generations: number;
  seed: number;
  /** Probability that a child is recombined before mutation (default 0.9 when the problem has crossover, else 0). */
  crossoverRate?: number;
  /** Samples or repair mutations tried per member until it is feasible and new (default 100; cost look-ups only). */
  feasibleTries?: number;
}

/** A population member: infeasible members carry no objectives (they were not evaluated). */
export interface Nsga2Member<G> extends Individual {
  genome: G;
}

/** Resumable state (JSON when G is JSON); take it between tell() and the next ask(). */
export interface Nsga2State<G> {
  format: 'nsga2-state';
  version: 1;
  rng: RngState;
  generation: number;
  evaluations: number;
  population: Nsga2Member<G>[];
  cache: Array<[string, number[]]>;
}

export const NSGA2_FEASIBLE_TRIES = 100;
const NOT_EVALUATED: readonly number[] = Object.freeze([]);

/**
 * NSGA-II (Deb et al. 2002) as an ask/tell loop over any genome, with constraint handling in the loop:
 * - feasible initial population: each member is sampled until it is feasible and new (bounded tries; the least
 *   violating sample is kept if none is);
 * - mutation until feasible: a child that is infeasible or already seen (population, offspring, evaluated before) is
 *   mutated again (bounded tries); one still infeasible joins as an infeasible member without evaluation, one still
 *   repeated takes its cached objectives;
 * - constrained domination (Deb 2000) in the ranking, the crowded binary tournament and environmental selection.
 * An evaluation is one call of the evaluator on a feasible genome not seen before; repeats are answered from a cache.
 */
export class Nsga2<G> {
  private rng: Rng;
  private generationNo = 0;
  private evaluationCount = 0;
  private members: Nsga2Member<G>[] = [];
  private readonly cache = new Map<string, readonly number[]>();
  private pending: G[] | null = null;
  private offspring: Nsga2Member<G>[] = [];
  readonly crossoverRate: number;
  readonly feasibleTries: number;

  constructor(
    private readonly problem: Nsga2Problem<G>,
    readonly options: Nsga2Options,
    state?: Nsga2State<G>,
  ) {
    const { populationSize, generations, seed } = options;
    if (!Number.isInteger(populationSize) || populationSize < 2) throw new RangeError(`populationSize must be an integer >= 2, got ${populationSize}`);
    if (!Number.isInteger(generations) || generations < 0) throw new RangeError(`generations must be an integer >= 0, got ${generations}`);
    this.crossoverRate = options.crossoverRate ?? (problem.crossover ? 0.9 : 0);
    if (!(this.crossoverRate >= 0 && this.crossoverRate <= 1)) throw new RangeError(`crossoverRate must be in [0, 1], got ${this.crossoverRate}`);
    if (this.crossoverRate > 0 && !problem.crossover) throw new RangeError('crossoverRate > 0 needs a problem with crossover()');
    this.feasibleTries = options.feasibleTries ?? NSGA2_FEASIBLE_TRIES;
    if (!Number.isInteger(this.feasibleTries) || this.feasibleTries < 1) throw new RangeError(`feasibleTries must be an integer >= 1, got ${this.feasibleTries}`);
    if (state) {
      if (state.format !== 'nsga2-state' || state.version !== 1) throw new RangeError('not an nsga2-state v1 checkpoint');
      this.rng = Rng.fromState(state.rng);
      this.generationNo = state.generation;
      this.evaluationCount = state.evaluations;
      this.members = state.population.map((m) => ({ ...m }));
      for (const [k, v] of state.cache) this.cache.set(k, v);
    } else {
      this.rng = Rng.fromSeed(seed);
    }
  }

  /** Generations completed (0 = the initial population is in). */
  get generation(): number {
    return this.generationNo;
  }
  get evaluations(): number {
    return this.evaluationCount;
  }
  get done(): boolean {
    return this.pending === null && this.members.length > 0 && this.generationNo >= this.options.generations;
  }
  /** Current population (after the last tell). */
  get population(): readonly Nsga2Member<G>[] {
    return this.members;
  }
  /** Feasible non-dominated members of the current population. */
  paretoFront(): Nsga2Member<G>[] {
    if (this.members.length === 0) return [];
    const { fronts } = constrainedRanking(this.members);
    return fronts[0].map((i) => this.members[i]).filter((m) => m.violation === 0);
  }

  /** Genomes to evaluate now (feasible, not cached): the initial population, then each generation's offspring. */
  ask(): G[] {
    if (this.pending !== null) throw new Error('ask() called again before tell()');
    if (this.done) return [];
    const n = this.options.populationSize;
    // repeats of the population, this batch or any evaluated genome are repaired too (they would bring no new evaluation)
    const seen = new Set([...this.members.map((m) => this.problem.key(m.genome)), ...this.cache.keys()]);
    const batch: Nsga2Member<G>[] = [];
    if (this.members.length === 0) {
      for (let i = 0; i < n; i++) batch.push(this.feasibleSample(seen));
    } else {
      const { ranks, crowd } = constrainedRanking(this.members);
      for (let i = 0; i < n; i++) {
        const a = this.members[crowdedTournament(this.members, ranks, crowd, this.rng)].genome;
        let child: G;
        if (this.crossoverRate > 0 && this.rng.next() < this.crossoverRate) {
          const b = this.members[crowdedTournament(this.members, ranks, crowd, this.rng)].genome;
          child = this.problem.mutate((this.problem.crossover as NonNullable<Nsga2Problem<G>['crossover']>)(a, b, this.rng), this.rng);
        } else {
          child = this.problem.mutate(a, this.rng);
        }
        batch.push(this.repair(child, seen));
      }
    }
    this.offspring = batch;
    const toEvaluate = batch.filter((m) => m.violation === 0 && !this.cache.has(this.problem.key(m.genome)));
    const unique = new Map(toEvaluate.map((m) => [this.problem.key(m.genome), m.genome]));
    this.pending = [...unique.values()];
    return this.pending.slice();
  }

  /** Objective vectors of the genomes the last ask() returned, in the same order. */
  tell(objectives: readonly (readonly number[])[]): void {
    const pending = this.pending;
    if (pending === null) throw new Error('tell() without a pending ask()');
    if (objectives.length !== pending.length) throw new RangeError(`tell() needs ${pending.length} objective vectors, got ${objectives.length}`);
    objectives.forEach((o, i) => {
      if (o.length === 0 || !o.every(Number.isFinite)) throw new RangeError(`objectives of genome ${i} must be finite numbers`);
      this.cache.set(this.problem.key(pending[i]), o.slice());
    });
    this.evaluationCount += pending.length;
    this.pending = null;
    for (const m of this.offspring) if (m.violation === 0) m.objectives = this.cache.get(this.problem.key(m.genome)) as readonly number[];
    if (this.members.length === 0) {
      this.members = this.offspring;
    } else {
      const combined = [...this.members, ...this.offspring]; // R_t = P_t u Q_t
      this.members = nsga2Select(combined, this.options.populationSize).map((i) => combined[i]);
      this.generationNo++;
    }
    this.offspring = [];
  }

  snapshot(): Nsga2State<G> {
    if (this.pending !== null) throw new Error('snapshot() while an evaluation is pending; take it after tell()');
    return {
      format: 'nsga2-state',
      version: 1,
      rng: this.rng.state(),
      generation: this.generationNo,
      evaluations: this.evaluationCount,
      population: this.members.map((m) => ({ ...m, objectives: m.objectives.slice() })),
      cache: [...this.cache].map(([k, v]) => [k, v.slice()]),
    };
  }

  private member(genome: G): Nsga2Member<G> {
    const violation = this.problem.violation(genome);
    if (!(violation >= 0)) throw new RangeError(`violation() must return a number >= 0, got ${violation}`);
    return { genome, violation, objectives: NOT_EVALUATED };
  }

  /** Feasible initial population: sample until feasible and new; else the least violating sample. */
  private feasibleSample(seen: Set<string>): Nsga2Member<G> {
    let best: Nsga2Member<G> | null = null;
    for (let t = 0; t < this.feasibleTries; t++) {
      const m = this.member(this.problem.sample(this.rng));
      const fresh = !seen.has(this.problem.key(m.genome));
      if (m.violation === 0 && fresh) return this.take(m, seen);
      if (best === null || m.violation < best.violation) best = m;
    }
    return this.take(best as Nsga2Member<G>, seen);
  }

  /** Mutation until feasible (and new): mutate the child again while it is infeasible or a duplicate. */
  private repair(child: G, seen: Set<string>): Nsga2Member<G> {
    let m = this.member(child);
    let best = m;
    for (let t = 1; t < this.feasibleTries && (m.violation > 0 || seen.has(this.problem.key(m.genome))); t++) {
      m = this.member(this.problem.mutate(m.genome, this.rng));
      if (m.violation < best.violation) best = m;
    }
    return this.take(m.violation > 0 ? best : m, seen);
  }

  private take(m: Nsga2Member<G>, seen: Set<string>): Nsga2Member<G> {
    seen.add(this.problem.key(m.genome));
    return m;
  }
}

/** Drive an Nsga2 to the end with an evaluator (awaited only when it returns a promise). */
export async function runNsga2<G>(nsga: Nsga2<G>, evaluate: Nsga2Evaluate<G>, afterGeneration?: (n: Nsga2<G>) => void | Promise<void>): Promise<Nsga2Member<G>[]> {
  while (!nsga.done) {
    const objs: (readonly number[])[] = [];
    for (const g of nsga.ask()) {
      const r = evaluate(g);
      objs.push(r instanceof Promise ? await r : r);
    }
    nsga.tell(objs);
    if (afterGeneration) await afterGeneration(nsga);
  }
  return nsga.paretoFront();
}
