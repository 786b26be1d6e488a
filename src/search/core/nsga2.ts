import type { Rng } from '../../common/rng';

/**
 * NSGA-II population operators (Deb, Pratap, Agarwal & Meyarivan 2002, "A fast and elitist multiobjective genetic
 * algorithm: NSGA-II"), with the constraint handling of Deb 2000 (constrained domination). All objectives are
 * MINIMISED; negate an objective to maximise it. Pure functions over index arrays, no genome type.
 */

/** One member as the population layer sees it: its objective vector and its total constraint violation. */
export interface Individual {
  objectives: readonly number[];
  /** Total constraint violation, 0 = feasible. Objectives of an infeasible member are never compared. */
  violation: number;
}

/** a dominates b: no worse in every objective and better in at least one (minimisation). */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) throw new RangeError(`objective vectors differ in length (${a.length} vs ${b.length})`);
  let better = false;
  for (let m = 0; m < a.length; m++) {
    if (a[m] > b[m]) return false;
    if (a[m] < b[m]) better = true;
  }
  return better;
}

/** Fast non-dominated sort (Deb et al. 2002): fronts of indices into objs, front 0 = non-dominated. */
export function nonDominatedSort(objs: readonly (readonly number[])[]): number[][] {
  const n = objs.length;
  const dominatedBy: number[][] = Array.from({ length: n }, () => []); // S_p: members p dominates
  const count = new Array<number>(n).fill(0); // n_p: how many dominate p
  for (let p = 0; p < n; p++) {
    for (let q = p + 1; q < n; q++) {
      if (dominates(objs[p], objs[q])) {
        dominatedBy[p].push(q);
        count[q]++;
      } else if (dominates(objs[q], objs[p])) {
        dominatedBy[q].push(p);
        count[p]++;
      }
    }
  }
  const fronts: number[][] = [];
  let current: number[] = [];
  for (let p = 0; p < n; p++) if (count[p] === 0) current.push(p);
  while (current.length > 0) {
    fronts.push(current);
    const next: number[] = [];
    for (const p of current) {
      for (const q of dominatedBy[p]) if (--count[q] === 0) next.push(q);
    }
    current = next.sort((a, b) => a - b);
  }
  return fronts;
}

/**
 * Crowding distance of each member of one front (same order as `front`); boundary points get Infinity. Per objective
 * the front is sorted and each inner member adds (f[next] - f[prev]) / (f_max - f_min) (Deb et al. 2002, Fig. 6); an
 * objective with f_max = f_min adds nothing to inner members. Fronts of one or two members are all boundary.
 */
export function crowdingDistance(objs: readonly (readonly number[])[], front: readonly number[]): number[] {
  const k = front.length;
  const d = new Array<number>(k).fill(0);
  if (k === 0) return d;
  const m = objs[front[0]].length;
  const order = front.map((_, i) => i);
  for (let o = 0; o < m; o++) {
    order.sort((a, b) => objs[front[a]][o] - objs[front[b]][o] || a - b);
    const lo = objs[front[order[0]]][o];
    const hi = objs[front[order[k - 1]]][o];
    d[order[0]] = Infinity;
    d[order[k - 1]] = Infinity;
    const range = hi - lo;
    if (range <= 0) continue;
    for (let i = 1; i < k - 1; i++) d[order[i]] += (objs[front[order[i + 1]]][o] - objs[front[order[i - 1]]][o]) / range;
  }
  return d;
}

/** Constrained domination (Deb 2000): feasible beats infeasible; two infeasible compare by total violation. */
export function constrainedDominates(a: Individual, b: Individual): boolean {
  const af = a.violation <= 0;
  const bf = b.violation <= 0;
  if (af && bf) return dominates(a.objectives, b.objectives);
  if (af !== bf) return af;
  return a.violation < b.violation;
}

/** Fronts, rank per member and crowding distance per member under constrained domination. */
export interface ConstrainedRanking {
  /** Fronts of indices: first the non-dominated fronts of the feasible members, then infeasible members grouped by equal violation, ascending. */
  fronts: number[][];
  /** Front number of each member. */
  ranks: number[];
  /** Crowding distance of each member within its front (infeasible members: 0, they are ordered by violation). */
  crowd: number[];
}

/**
 * Constrained non-dominated sorting: the fronts that constrainedDominates induces. Feasible members are sorted by
 * nonDominatedSort; each infeasible member is dominated by every feasible one and by every member of lower violation,
 * so the infeasible members form one front per distinct violation value, in ascending order.
 */
export function constrainedRanking(pop: readonly Individual[]): ConstrainedRanking {
  const feasible: number[] = [];
  const infeasible: number[] = [];
  pop.forEach((p, i) => {
    if (!(p.violation >= 0)) throw new RangeError(`violation of member ${i} must be a number >= 0, got ${p.violation}`);
    (p.violation === 0 ? feasible : infeasible).push(i);
  });
  const fronts = nonDominatedSort(feasible.map((i) => pop[i].objectives)).map((f) => f.map((j) => feasible[j]));
  const ranks = new Array<number>(pop.length).fill(0);
  const crowd = new Array<number>(pop.length).fill(0);
  for (const front of fronts) {
    const cd = crowdingDistance(
      front.map((i) => pop[i].objectives),
      front.map((_, j) => j),
    );
    front.forEach((i, j) => (crowd[i] = cd[j]));
  }
  infeasible.sort((a, b) => pop[a].violation - pop[b].violation || a - b);
  for (let j = 0; j < infeasible.length; j++) {
    const i = infeasible[j];
    if (j > 0 && pop[infeasible[j - 1]].violation === pop[i].violation) fronts[fronts.length - 1].push(i);
    else fronts.push([i]);
  }
  fronts.forEach((f, r) => f.forEach((i) => (ranks[i] = r)));
  return { fronts, ranks, crowd };
}

/**
 * NSGA-II environmental selection: pick `n` survivors from a combined population (rank, then crowding). Whole fronts
 * are taken in rank order; the front that does not fit is cut by descending crowding distance (ties: lower index).
 * Constrained: feasible members first, then infeasible ones by ascending violation. Returns indices in pick order.
 */
export function nsga2Select(pop: readonly Individual[], n: number): number[] {
  if (!Number.isInteger(n) || n < 0 || n > pop.length) throw new RangeError(`cannot select ${n} of ${pop.length}`);
  const { fronts, crowd } = constrainedRanking(pop);
  const out: number[] = [];
  for (const front of fronts) {
    if (out.length + front.length <= n) {
      out.push(...front);
      continue;
    }
    const rest = [...front].sort((a, b) => crowd[b] - crowd[a] || a - b);
    out.push(...rest.slice(0, n - out.length));
    break;
  }
  return out;
}

/**
 * Binary tournament by (constrained) rank then crowding distance; returns the winner's index. Two distinct members
 * are drawn uniformly (one when the population has a single member); lower rank wins, then larger crowding distance,
 * then the first drawn. `ranks` and `crowd` come from constrainedRanking (or any ranking of the same population).
 */
export function crowdedTournament(pop: readonly Individual[], ranks: readonly number[], crowd: readonly number[], rng: Rng): number {
  if (pop.length === 0) throw new RangeError('tournament on an empty population');
  if (ranks.length !== pop.length || crowd.length !== pop.length) throw new RangeError('ranks and crowd must have one entry per member');
  if (pop.length === 1) return 0;
  const [a, b] = rng.sampleIndices(pop.length, 2);
  if (ranks[a] !== ranks[b]) return ranks[a] < ranks[b] ? a : b;
  if (crowd[a] !== crowd[b]) return crowd[a] > crowd[b] ? a : b;
  return a;
}
