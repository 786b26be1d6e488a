/**
 * MCEA, the Markov chain-based evolution algorithm (Sec. 3.3, Eq. 4-8; appendix A), as pure logic over an abstract
 * evaluator `(path) => accuracy` (the supernet evaluator plugs in later).
 * - init (Eq. 7 with t = 0): K random base models under the base budget f0; S_j^(0) = argmax over stage j's grid of
 *   (1/K) sum_k ACC(alpha_k, S_j), the mean taken over the pairs within budget f_j (strategies with no such pair are
 *   used only if no strategy of the stage has one: then the least mean violation wins).
 * - iteration t = 1..T: (Eq. 5-6) NSGA-II over base models (P, N generations) with the strategies S_j^(t-1) fixed,
 *   maximising the pi-weighted accuracy sum_{j=1..M} pi_j ACC(alpha, S_j) of Eq. 4 subject to every stage's budget
 *   (FLOPs(alpha, S_j) near f_j for j = 0..M, S_0 = [1,1,1]) by constrained domination; (Eq. 7-8) a grid search of
 *   each S_j over stage j's grid given alpha^(t): the feasible strategy of highest accuracy.
 * The population of iteration t starts from the survivors of iteration t-1 re-evaluated under the new strategies
 * (the Markov chain's state; t = 1 starts from P random base models).
 * Budget constraint (Eq. 4's FLOPs = f_j): `band` (default): |FLOPs - f_j| <= tolerance * f_j; `max`: FLOPs <= f_j.
 * Default tolerance 0.15: the paper's own family (Table 1, f0 = 350M) sits at 0.35G, 0.80G (+14% over f1 = 0.70G),
 * 1.45G (+4%) and 2.76G (-1%), so an exact equality cannot be what was enforced.
 * State is plain JSON (resumable); `runMcea` checks `shouldStop` between steps (one step = the init of one stage,
 * one NSGA-II generation, or the grid search of one stage).
 */
import { InvalidInputError, violation as fieldViolation } from '../../../common/errors';
import { Rng, RngState } from '../../../common/rng';
import { Individual, constrainedRanking, crowdedTournament, nsga2Select } from '../../../search/core/nsga2';
import { pathFlops } from './cost';
import { checkWeights, sampleBaseModel, sampleBlock } from './hss';
import { BaseModel, ScaleNetPath, ScaleNetPreset, ScalingSpace, ScalingStrategy, cloneBase, pathKey, stageStrategies } from './space';

export type PathEvaluator = (path: ScaleNetPath) => number | Promise<number>;
export type BudgetMode = 'band' | 'max';
/** `weighted`: one objective, Eq. 4's pi-weighted accuracy (default); `per-stage`: one objective per stage j = 1..M. */
export type MceaObjectives = 'weighted' | 'per-stage';

export interface MceaConfig {
  /** Iterations (appendix A: 8). */
  T: number;
  /** Random base models for S_j^(0) (appendix A: 20). */
  K: number;
  /** NSGA-II population (appendix A: 50). */
  P: number;
  /** NSGA-II generations per iteration (appendix A: 40). */
  N: number;
  /** pi_1..pi_M of Eq. 4 (normalised; default equal). */
  pi: number[];
  budgetMode: BudgetMode;
  /** Relative half-width of the budget band (mode `band`). */
  tolerance: number;
  objectives: MceaObjectives;
  crossoverRate: number;
  /** Per-stage (depth) and per-block (choices) mutation probability. */
  mutationRate: number;
  seed: number;
}

export const MCEA_DEFAULTS = { T: 8, K: 20, P: 50, N: 40, budgetMode: 'band' as BudgetMode, tolerance: 0.15, objectives: 'weighted' as MceaObjectives, crossoverRate: 0.9, mutationRate: 0.1, seed: 0 };

/** Full configuration from partial input (pi defaults to 1/M each); InvalidInputError naming the field. */
export function mceaConfig(M: number, given: Partial<MceaConfig> = {}): MceaConfig {
  const c: MceaConfig = { ...MCEA_DEFAULTS, pi: Array.from({ length: M }, () => 1 / M), ...given };
  for (const k of ['T', 'K', 'P', 'N'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new InvalidInputError(`${k} must be an integer >= 1`, [fieldViolation(k, 'min', 'must be an integer >= 1')]);
  }
  if (c.P < 2) throw new InvalidInputError('P must be >= 2', [fieldViolation('P', 'min', 'must be >= 2')]);
  checkWeights(c.pi, M, 'pi');
  if (!(c.tolerance >= 0)) throw new InvalidInputError('tolerance must be >= 0', [fieldViolation('tolerance', 'min', 'must be >= 0')]);
  return c;
}

export interface MceaProblem {
  preset: ScaleNetPreset;
  space: ScalingSpace;
  /** f_0..f_M. */
  budgets: number[];
  /** false: the FLOPs budgets are reported only, not enforced (a latency-only job). Default true. */
  flopsConstrained?: boolean;
  /** Latency budgets l_0..l_M (ms) and the LUT prediction of a path (a cap: latency <= l_j). */
  latency?: { budgetsMs: number[]; predict(p: ScaleNetPath): number };
}

/** One evaluated base model of the NSGA-II population. */
export interface Member {
  base: BaseModel;
  /** ACC(alpha, S_j) for j = 1..M. */
  accs: number[];
  /** Eq. 4: sum_j pi_j acc_j. */
  weighted: number;
  violation: number;
}

export interface IterationRecord {
  t: number;
  /** Eq. 4 objective of alpha^(t) under S^(t-1) and under S^(t). */
  weightedBefore: number;
  weightedAfter: number;
  strategies: ScalingStrategy[];
  accs: number[];
  flops: number[];
  /** Standard deviation of the population's per-stage accuracies at the end of the base step (Fig. 6). */
  populationStd: number[];
}

export interface MceaState {
  version: 1;
  phase: 'init' | 'base' | 'grid' | 'done';
  /** Current iteration 1..T (0 during init). */
  t: number;
  /** NSGA-II generation done in the current base step (0 = initial population not yet evaluated). */
  gen: number;
  /** Scaling stage handled next by init / grid (1..M). */
  stage: number;
  rng: RngState;
  initBases: BaseModel[];
  /** S_0..S_M (S_0 = [1,1,1]). */
  strategies: ScalingStrategy[];
  alpha: BaseModel | null;
  population: Member[];
  history: IterationRecord[];
  evaluations: number;
}

export interface MceaResult {
  alpha: BaseModel;
  strategies: ScalingStrategy[];
  /** ACC(alpha, S_j) for j = 0..M. */
  accs: number[];
  flops: number[];
  weighted: number;
  history: IterationRecord[];
  evaluations: number;
}

/** Eq. 4's budget constraint as a violation (0 = within budget), relative to f. */
export function budgetViolation(flops: number, f: number, mode: BudgetMode, tolerance: number): number {
  const rel = (flops - f) / f;
  return mode === 'max' ? Math.max(0, rel) : Math.max(0, Math.abs(rel) - tolerance);
}

/** The initial state (nothing evaluated yet). */
export function initialMceaState(problem: MceaProblem, config: MceaConfig): MceaState {
  checkProblem(problem);
  return {
    version: 1,
    phase: 'init',
    t: 0,
    gen: 0,
    stage: 1,
    rng: Rng.fromSeed(config.seed).state(),
    initBases: [],
    strategies: problem.space.stages.map((_, j) => (j === 0 ? { d: 1, w: 1, r: 1 } : { ...stageStrategies(problem.space, j)[0] })),
    alpha: null,
    population: [],
    history: [],
    evaluations: 0,
  };
}

function checkProblem(p: MceaProblem): void {
  if (p.budgets.length !== p.space.M + 1) {
    throw new InvalidInputError(`budgets must have M + 1 = ${p.space.M + 1} entries`, [fieldViolation('budgets', 'length', `must have M + 1 = ${p.space.M + 1} entries`)]);
  }
}

/** Runs MCEA: one step at a time from `state` (or a fresh one) until done or `shouldStop()`. */
export async function runMcea(
  problem: MceaProblem,
  config: MceaConfig,
  evaluate: PathEvaluator,
  opts: { state?: MceaState; shouldStop?: () => boolean; onStep?: (s: MceaState) => void | Promise<void> } = {},
): Promise<{ state: MceaState; result: MceaResult | null }> {
  const runner = new Mcea(problem, config, evaluate);
  let state = opts.state ?? initialMceaState(problem, config);
  while (state.phase !== 'done') {
    if (opts.shouldStop?.()) return { state, result: null };
    state = await runner.step(state);
    await opts.onStep?.(state);
  }
  return { state, result: await runner.result(state) };
}

/** The step function of MCEA (pure apart from the evaluator and a FLOPs cache). */
export class Mcea {
  private readonly flopsCache = new Map<string, number>();

  constructor(
    readonly problem: MceaProblem,
    readonly config: MceaConfig,
    readonly evaluate: PathEvaluator,
  ) {
    checkProblem(problem);
  }

  private get M(): number {
    return this.problem.space.M;
  }

  flops(base: BaseModel, strategy: ScalingStrategy): number {
    const path = { base, strategy };
    const key = pathKey(path);
    let f = this.flopsCache.get(key);
    if (f === undefined) {
      f = pathFlops(this.problem.preset, path);
      if (this.flopsCache.size > 200_000) this.flopsCache.clear();
      this.flopsCache.set(key, f);
    }
    return f;
  }

  /** Eq. 4's constraint as a violation: the FLOPs budget's (unless off) plus the latency cap's, each relative. */
  violation(base: BaseModel, strategy: ScalingStrategy, j: number): number {
    const f = this.problem.flopsConstrained === false ? 0 : budgetViolation(this.flops(base, strategy), this.problem.budgets[j], this.config.budgetMode, this.config.tolerance);
    const lat = this.problem.latency;
    return lat ? f + budgetViolation(lat.predict({ base, strategy }), lat.budgetsMs[j], 'max', 0) : f;
  }

  /** One step; returns a new state (the input is not modified). */
  async step(input: MceaState): Promise<MceaState> {
    const s: MceaState = JSON.parse(JSON.stringify(input));
    const rng = Rng.fromState(s.rng);
    if (s.phase === 'init') await this.initStep(s, rng);
    else if (s.phase === 'base') await this.baseStep(s, rng);
    else if (s.phase === 'grid') await this.gridStep(s);
    s.rng = rng.state();
    return s;
  }

  private async acc(s: MceaState, base: BaseModel, strategy: ScalingStrategy): Promise<number> {
    s.evaluations++;
    const a = await this.evaluate({ base, strategy });
    if (!Number.isFinite(a)) throw new RangeError(`evaluator returned a non-finite accuracy ${a}`);
    return a;
  }

  /** K random base models within the base budget (rejection sampling; the least violating if none is found). */
  private sampleInitBases(rng: Rng): BaseModel[] {
    const out: BaseModel[] = [];
    const one = { d: 1, w: 1, r: 1 };
    const spare: Array<{ b: BaseModel; v: number }> = [];
    for (let tries = 0; out.length < this.config.K && tries < 1000 * this.config.K; tries++) {
      const b = sampleBaseModel(this.problem.preset, rng);
      const v = this.violation(b, one, 0);
      if (v === 0) out.push(b);
      else spare.push({ b, v });
    }
    spare.sort((a, b) => a.v - b.v);
    while (out.length < this.config.K) out.push(spare.shift()!.b);
    return out;
  }

  /** Eq. 7 at t = 0 for one stage j: argmax_S (1/K) sum_k ACC(alpha_k, S) over the within-budget pairs. */
  private async initStep(s: MceaState, rng: Rng): Promise<void> {
    if (s.initBases.length === 0) s.initBases = this.sampleInitBases(rng);
    const j = s.stage;
    let best: { S: ScalingStrategy; feasible: number; mean: number; meanViolation: number } | null = null;
    for (const S of stageStrategies(this.problem.space, j)) {
      let sum = 0;
      let n = 0;
      let vsum = 0;
      for (const b of s.initBases) {
        const v = this.violation(b, S, j);
        vsum += v;
        if (v === 0) {
          sum += await this.acc(s, b, S);
          n++;
        }
      }
      const cand = { S, feasible: n > 0 ? 1 : 0, mean: n > 0 ? sum / n : -Infinity, meanViolation: vsum / s.initBases.length };
      if (!best || better(cand, best)) best = cand;
    }
    s.strategies[j] = { ...best!.S };
    if (j < this.M) s.stage = j + 1;
    else {
      s.phase = 'base';
      s.t = 1;
      s.gen = 0;
      s.stage = 1;
    }
  }

  /** Evaluates one base model under the current strategies (Eq. 4 objective and budget violation). */
  private async member(s: MceaState, base: BaseModel): Promise<Member> {
    const accs: number[] = [];
    let weighted = 0;
    let violation = this.violation(base, s.strategies[0], 0);
    for (let j = 1; j <= this.M; j++) {
      const a = await this.acc(s, base, s.strategies[j]);
      accs.push(a);
      weighted += this.config.pi[j - 1] * a;
      violation += this.violation(base, s.strategies[j], j);
    }
    return { base, accs, weighted, violation };
  }

  private individual(m: Member): Individual {
    return { objectives: this.config.objectives === 'weighted' ? [-m.weighted] : m.accs.map((a) => -a), violation: m.violation };
  }

  /** Eq. 5-6: one NSGA-II generation over base models (generation 0 builds the initial population). */
  private async baseStep(s: MceaState, rng: Rng): Promise<void> {
    const P = this.config.P;
    if (s.gen === 0) {
      const bases = s.population.length ? s.population.map((m) => m.base) : Array.from({ length: P }, () => sampleBaseModel(this.problem.preset, rng));
      if (s.alpha && !s.population.length) bases[0] = cloneBase(s.alpha);
      s.population = [];
      for (const b of bases) s.population.push(await this.member(s, b));
    } else {
      const inds = s.population.map((m) => this.individual(m));
      const { ranks, crowd } = rankAndCrowd(inds);
      const children: Member[] = [];
      while (children.length < P) {
        const a = s.population[crowdedTournament(inds, ranks, crowd, rng)].base;
        const b = s.population[crowdedTournament(inds, ranks, crowd, rng)].base;
        const [c1, c2] = rng.next() < this.config.crossoverRate ? crossover(a, b, rng) : [cloneBase(a), cloneBase(b)];
        for (const c of [c1, c2]) {
          if (children.length < P) children.push(await this.member(s, mutate(this.problem.preset, c, this.config.mutationRate, rng)));
        }
      }
      const all = [...s.population, ...children];
      s.population = nsga2Select(all.map((m) => this.individual(m)), P).map((i) => all[i]);
    }
    if (s.gen < this.config.N) {
      s.gen++;
      return;
    }
    const best = bestMember(s.population);
    s.alpha = cloneBase(best.base);
    s.history.push({
      t: s.t,
      weightedBefore: best.weighted,
      weightedAfter: NaN,
      strategies: [],
      accs: [],
      flops: [],
      populationStd: Array.from({ length: this.M }, (_, j) => std(s.population.map((m) => m.accs[j]))),
    });
    s.phase = 'grid';
    s.stage = 1;
  }

  /** Eq. 7-8: grid search of S_j given alpha^(t). */
  private async gridStep(s: MceaState): Promise<void> {
    const j = s.stage;
    const alpha = s.alpha!;
    let best: { S: ScalingStrategy; feasible: number; mean: number; meanViolation: number } | null = null;
    for (const S of stageStrategies(this.problem.space, j)) {
      const v = this.violation(alpha, S, j);
      const cand = { S, feasible: v === 0 ? 1 : 0, mean: v === 0 ? await this.acc(s, alpha, S) : -Infinity, meanViolation: v };
      if (!best || better(cand, best)) best = cand;
    }
    s.strategies[j] = { ...best!.S };
    if (j < this.M) {
      s.stage = j + 1;
      return;
    }
    const rec = s.history[s.history.length - 1];
    const m = await this.member(s, alpha);
    rec.weightedAfter = m.weighted;
    rec.strategies = s.strategies.map((x) => ({ ...x }));
    rec.accs = m.accs;
    rec.flops = s.strategies.map((S) => this.flops(alpha, S));
    s.stage = 1;
    if (s.t >= this.config.T) s.phase = 'done';
    else {
      s.t++;
      s.gen = 0;
      s.phase = 'base';
    }
  }

  /** The family found: alpha, S_0..S_M with their accuracies and FLOPs. */
  async result(s: MceaState): Promise<MceaResult> {
    if (s.phase !== 'done' || !s.alpha) throw new RangeError('MCEA has not finished');
    const accs: number[] = [];
    for (const S of s.strategies) accs.push(await this.evaluate({ base: s.alpha, strategy: S }));
    const weighted = accs.slice(1).reduce((a, x, i) => a + this.config.pi[i] * x, 0);
    return { alpha: s.alpha, strategies: s.strategies, accs, flops: s.strategies.map((S) => this.flops(s.alpha!, S)), weighted, history: s.history, evaluations: s.evaluations };
  }
}

/** Feasible first, then higher accuracy; among infeasible, lower violation. Ties keep the earlier (grid order). */
function better(a: { feasible: number; mean: number; meanViolation: number }, b: { feasible: number; mean: number; meanViolation: number }): boolean {
  if (a.feasible !== b.feasible) return a.feasible > b.feasible;
  if (a.feasible) return a.mean > b.mean;
  return a.meanViolation < b.meanViolation;
}

/** Feasible member with the highest Eq. 4 objective (else the least violating). */
export function bestMember(pop: readonly Member[]): Member {
  return pop.reduce((b, m) => (m.violation < b.violation || (m.violation === b.violation && m.weighted > b.weighted) ? m : b));
}

/** Rank and crowding of each member under constrained domination (Deb 2000), from the search core. */
function rankAndCrowd(inds: Individual[]): { ranks: number[]; crowd: number[] } {
  const { ranks, crowd } = constrainedRanking(inds);
  return { ranks, crowd };
}

/** Stage-wise uniform crossover: each stage's block list comes from either parent. */
export function crossover(a: BaseModel, b: BaseModel, rng: Rng): [BaseModel, BaseModel] {
  const c1: BaseModel = { stages: [] };
  const c2: BaseModel = { stages: [] };
  a.stages.forEach((sa, i) => {
    const sb = b.stages[i];
    const swap = rng.next() < 0.5;
    c1.stages.push((swap ? sb : sa).map((x) => ({ ...x })));
    c2.stages.push((swap ? sa : sb).map((x) => ({ ...x })));
  });
  return [c1, c2];
}

/** Mutation: per stage, with probability p a new depth (new blocks drawn uniformly); per block, with probability p new choices. */
export function mutate(preset: ScaleNetPreset, base: BaseModel, p: number, rng: Rng): BaseModel {
  const out = cloneBase(base);
  out.stages = out.stages.map((blocks, i) => {
    const spec = preset.stages[i];
    let bs = blocks;
    if (rng.next() < p) {
      const n = spec.minBlocks + rng.int(spec.maxBlocks - spec.minBlocks + 1);
      bs = bs.slice(0, n);
      while (bs.length < n) bs.push(sampleBlock(spec, rng));
    }
    return bs.map((b) => (rng.next() < p ? sampleBlock(spec, rng) : b));
  });
  return out;
}

function std(v: number[]): number {
  if (!v.length) return 0;
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
}
