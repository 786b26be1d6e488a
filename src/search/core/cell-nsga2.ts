import type { Rng } from '../../common/rng';
import type { CellSearchSpace } from '../common/space';
import type { Nsga2Problem } from './nsga2-loop';

/**
 * NSGA-II genome for a cell space: the arch index. Sampling is uniform, mutation sets one uniformly chosen edge to a
 * uniformly chosen different op (as in regularised evolution), crossover takes each edge's op from either parent
 * with probability 1/2 (uniform crossover). `violation` is the method's cost look-up (0 = feasible).
 */
export function cellNsga2Problem(space: CellSearchSpace, violation: (index: number) => number): Nsga2Problem<number> {
  return {
    sample: (rng: Rng) => rng.int(space.size),
    mutate: (g: number, rng: Rng) => {
      const ops = space.opsOf(g).slice();
      const edge = rng.int(space.numEdges);
      let op = rng.int(space.numOps - 1);
      if (op >= ops[edge]) op++;
      ops[edge] = op;
      return space.indexOf(ops);
    },
    crossover: (a: number, b: number, rng: Rng) => {
      const pb = space.opsOf(b);
      return space.indexOf(space.opsOf(a).map((o, e) => (rng.next() < 0.5 ? o : pb[e])));
    },
    key: (g: number) => String(g),
    violation,
  };
}
