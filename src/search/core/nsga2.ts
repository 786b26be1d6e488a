/**
 * TEMPORARY minimal NSGA-II (Deb et al. 2002) written against the shared search-core API of BRIEF.md so that the
 * ScaleNet branch compiles and runs before branch `core` is merged; at merge the lead keeps `core`'s version of this
 * file. All objectives are MINIMISED. Constraint handling: Deb (2000) constrained domination.
 */
import type { Rng } from '../common/rng';

export interface Individual {
  objectives: readonly number[];
  /** Total constraint violation; 0 = feasible. */
  violation: number;
}

const dominates = (a: readonly number[], b: readonly number[]): boolean => {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] > b[i]) return false;
    if (a[i] < b[i]) better = true;
  }
  return better;
};

/** Fast non-dominated sort (Deb et al. 2002): fronts of indices into objs, front 0 = non-dominated. */
export function nonDominatedSort(objs: readonly (readonly number[])[]): number[][] {
  return sortBy(objs.length, (p, q) => dominates(objs[p], objs[q]));
}

function sortBy(n: number, dom: (p: number, q: number) => boolean): number[][] {
  const dominated: number[][] = Array.from({ length: n }, () => []);
  const count = new Array<number>(n).fill(0);
  const fronts: number[][] = [[]];
  for (let p = 0; p < n; p++) {
    for (let q = 0; q < n; q++) {
      if (p === q) continue;
      if (dom(p, q)) dominated[p].push(q);
      else if (dom(q, p)) count[p]++;
    }
    if (count[p] === 0) fronts[0].push(p);
  }
  for (let i = 0; fronts[i].length; i++) {
    const next: number[] = [];
    for (const p of fronts[i]) for (const q of dominated[p]) if (--count[q] === 0) next.push(q);
    fronts.push(next);
  }
  fronts.pop();
  return fronts;
}

/** Crowding distance of each member of one front (same order as `front`); boundary points get Infinity. */
export function crowdingDistance(objs: readonly (readonly number[])[], front: readonly number[]): number[] {
  const d = new Array<number>(front.length).fill(0);
  if (front.length <= 2) return d.fill(Infinity);
  const m = objs[front[0]].length;
  for (let k = 0; k < m; k++) {
    const order = front.map((_, i) => i).sort((a, b) => objs[front[a]][k] - objs[front[b]][k]);
    const lo = objs[front[order[0]]][k];
    const hi = objs[front[order[order.length - 1]]][k];
    d[order[0]] = Infinity;
    d[order[order.length - 1]] = Infinity;
    if (hi === lo) continue;
    for (let i = 1; i < order.length - 1; i++) d[order[i]] += (objs[front[order[i + 1]]][k] - objs[front[order[i - 1]]][k]) / (hi - lo);
  }
  return d;
}

/** Constrained domination (Deb 2000): feasible beats infeasible; two infeasible compare by total violation. */
export function constrainedDominates(a: Individual, b: Individual): boolean {
  if (a.violation === 0 && b.violation > 0) return true;
  if (a.violation > 0 && b.violation === 0) return false;
  if (a.violation > 0 && b.violation > 0) return a.violation < b.violation;
  return dominates(a.objectives, b.objectives);
}

/** Constrained non-dominated fronts of a population. */
function constrainedSort(pop: readonly Individual[]): number[][] {
  return sortBy(pop.length, (p, q) => constrainedDominates(pop[p], pop[q]));
}

/** NSGA-II environmental selection: pick `n` survivors from a combined population (rank, then crowding). */
export function nsga2Select(pop: readonly Individual[], n: number): number[] {
  const out: number[] = [];
  const objs = pop.map((p) => p.objectives);
  for (const front of constrainedSort(pop)) {
    if (out.length + front.length <= n) {
      out.push(...front);
      continue;
    }
    const cd = crowdingDistance(objs, front);
    const order = front.map((_, i) => i).sort((a, b) => cd[b] - cd[a] || front[a] - front[b]);
    for (const i of order.slice(0, n - out.length)) out.push(front[i]);
    break;
  }
  return out;
}

/** Binary tournament by (constrained) rank then crowding distance; returns the winner's index. */
export function crowdedTournament(pop: readonly Individual[], ranks: readonly number[], crowd: readonly number[], rng: Rng): number {
  const a = rng.int(pop.length);
  const b = rng.int(pop.length);
  if (ranks[a] !== ranks[b]) return ranks[a] < ranks[b] ? a : b;
  if (crowd[a] !== crowd[b]) return crowd[a] > crowd[b] ? a : b;
  return rng.next() < 0.5 ? a : b;
}
