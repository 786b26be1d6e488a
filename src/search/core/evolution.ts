import type { Scored, SearchServices, SearchStrategy } from './types';

/**
 * Default hyper-parameters of regularised evolution, chosen by us on NB201 (unconstrained, 100 seeds) among P/S in
 * {10/3, 20/5, 30/10, 50/10, 100/25}: lowest mean test regret at 100 queries on all three datasets, within 0.05 pp of
 * the lowest at 300 queries.
 */
export const EVOLUTION_DEFAULTS = { populationSize: 30, sampleSize: 10 } as const;

/**
 * Proposals in a row that brought no new query (all mutants already evaluated or infeasible) after which the
 * proposals are random unseen archs instead of mutants, until one is queried. Only a deduplication artefact (Real et
 * al. re-train duplicates); it guarantees progress when every mutant of the population is known.
 */
export const EVOLUTION_STALL_LIMIT = 256;

/**
 * Mutation until feasible: single-edge mutations applied while the child violates the constraints, at most this many
 * (a repair walk from the parent). Feasibility is a cost look-up, not a query, so the repair costs no budget; if the
 * walk is still infeasible after this many steps it is proposed as is (the core rejects it without a query) and the
 * next cycle samples a new parent.
 */
export const EVOLUTION_FEASIBLE_TRIES = 64;

interface EvolutionJson {
  population: Scored[];
  stall: number;
}

/**
 * Regularised (aging) evolution, Real et al. 2019, Algorithm 1: fill a population of P random archs; then repeat:
 * sample S members uniformly without replacement, mutate the best of the sample (one edge gets a different op, chosen
 * uniformly), add the child and remove the oldest member. Under constraints the initial population is feasible
 * (randomUnknown) and an infeasible child is mutated further until it is feasible (mutateFeasible; cost look-ups, no
 * queries). Since queries are deduplicated, a child that was evaluated
 * before (or is infeasible) is dropped without an aging step and the next cycle mutates again; the population thus
 * holds the P most recent distinct queried archs. (Letting cached duplicates join the population was measured too:
 * similar regret, but the population filled with copies of the elite and most proposals became duplicates.)
 */
export class RegularizedEvolution implements SearchStrategy {
  private population: Scored[];
  private stall: number;

  constructor(
    readonly populationSize: number,
    readonly sampleSize: number,
    json?: unknown,
  ) {
    if (!Number.isInteger(populationSize) || populationSize < 1) throw new RangeError(`populationSize must be an integer >= 1, got ${populationSize}`);
    if (!Number.isInteger(sampleSize) || sampleSize < 1 || sampleSize > populationSize) {
      throw new RangeError(`sampleSize must be an integer in 1..populationSize (${populationSize}), got ${sampleSize}`);
    }
    const j = json as EvolutionJson | undefined;
    if (j !== undefined && (!Array.isArray(j.population) || j.population.length > populationSize || !Number.isInteger(j.stall))) {
      throw new RangeError('invalid evolution state');
    }
    this.population = j ? j.population.map((m) => ({ index: m.index, score: m.score })) : [];
    this.stall = j ? j.stall : 0;
  }

  propose(s: SearchServices): number {
    if (this.population.length < this.populationSize) return s.randomUnknown();
    if (this.stall >= EVOLUTION_STALL_LIMIT) return s.randomUnknown();
    this.stall++;
    let parent: Scored | null = null;
    for (const pos of s.sampleIndices(this.population.length, this.sampleSize)) {
      const m = this.population[pos];
      if (parent === null || m.score > parent.score) parent = m;
    }
    return mutateFeasible(s, (parent as Scored).index);
  }

  onScore(_s: SearchServices, index: number, score: number, fresh: boolean): void {
    if (!fresh) return; // a duplicate child is dropped: no aging step, the next proposal mutates again
    this.population.push({ index, score });
    if (this.population.length > this.populationSize) this.population.shift(); // remove the oldest
    this.stall = 0;
  }

  onInfeasible(): void {
    // dropped: no aging step
  }

  toJSON(): EvolutionJson {
    return { population: this.population.map((m) => ({ ...m })), stall: this.stall };
  }
}

/**
 * Mutation until feasible (constraint handling of regularised evolution): mutate() the parent; while the child is
 * infeasible, mutate() the child again (a repair walk of single-edge mutations through the infeasible region, at most
 * EVOLUTION_FEASIBLE_TRIES steps). Without constraints, or when the first child is feasible, this is exactly one
 * mutation (one edge, a different op). Measured on NB201 under Pixel 3 <= 10 ms (100 seeds, 300 queries, mean test
 * regret cifar10/cifar100/ImageNet16-120): re-mutating the parent instead gave 0.67/0.69/0.88 pp; this walk
 * 0.34/0.52/0.50, because single-edge steps between good feasible archs at the latency bound mostly pass through
 * infeasible archs (e.g. moving a convolution from one edge to another).
 */
export function mutateFeasible(s: SearchServices, index: number): number {
  let child = mutate(s, index);
  for (let t = 1; t < EVOLUTION_FEASIBLE_TRIES && !s.feasible(child); t++) child = mutate(s, child);
  return child;
}

/** Real et al. mutation on a cell space: one uniformly chosen edge gets a uniformly chosen different op. */
export function mutate(s: SearchServices, index: number): number {
  const ops = s.space.opsOf(index).slice();
  const edge = s.randomInt(s.space.numEdges);
  let op = s.randomInt(s.space.numOps - 1);
  if (op >= ops[edge]) op++;
  ops[edge] = op;
  return s.space.indexOf(ops);
}
