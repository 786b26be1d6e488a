import { neighbours } from '../common/space';
import type { LocalSearchImprovement, Scored, SearchServices, SearchStrategy } from './types';

interface LocalJson {
  current: Scored | null;
  queue: number[];
  bestNeighbour: Scored | null;
  restarts: number;
}

/**
 * Local search (hill climbing) over the 1-edge-change neighbourhood with random restarts, White et al. 2020
 * ("Local search is state of the art for NAS benchmarks"), Algorithm 1. From a random arch, neighbours are visited
 * in random order. `best`: all neighbours are scored, then the search moves to the best one if it beats the current
 * arch (the paper's variant). `first`: it moves to the first neighbour that beats the current arch. At a local
 * optimum it restarts from a uniformly random unseen arch. Already-evaluated neighbours use their cached score.
 */
export class LocalSearch implements SearchStrategy {
  private current: Scored | null;
  private queue: number[];
  private bestNeighbour: Scored | null;
  private restarts: number;

  constructor(
    readonly improvement: LocalSearchImprovement,
    json?: unknown,
  ) {
    if (improvement !== 'best' && improvement !== 'first') throw new RangeError(`improvement must be 'best' or 'first', got ${String(improvement)}`);
    const j = json as LocalJson | undefined;
    if (j !== undefined && (!Array.isArray(j.queue) || !Number.isInteger(j.restarts))) throw new RangeError('invalid local search state');
    this.current = j?.current ? { ...j.current } : null;
    this.queue = j ? j.queue.slice() : [];
    this.bestNeighbour = j?.bestNeighbour ? { ...j.bestNeighbour } : null;
    this.restarts = j ? j.restarts : 0;
  }

  propose(s: SearchServices): number {
    for (;;) {
      if (this.current === null) return s.randomUnknown();
      const next = this.queue.shift();
      if (next !== undefined) return next;
      // neighbourhood exhausted
      const b = this.bestNeighbour;
      if (this.improvement === 'best' && b !== null && b.score > this.current.score) {
        this.moveTo(s, b);
      } else {
        this.current = null; // local optimum: random restart
        this.restarts++;
      }
    }
  }

  onScore(s: SearchServices, index: number, score: number): void {
    if (this.current === null) {
      this.moveTo(s, { index, score }); // (re)start point
      return;
    }
    if (this.improvement === 'first') {
      if (score > this.current.score) this.moveTo(s, { index, score });
    } else if (this.bestNeighbour === null || score > this.bestNeighbour.score) {
      this.bestNeighbour = { index, score };
    }
  }

  onInfeasible(): void {
    // infeasible neighbours (or restart points) are skipped
  }

  toJSON(): LocalJson {
    return {
      current: this.current && { ...this.current },
      queue: this.queue.slice(),
      bestNeighbour: this.bestNeighbour && { ...this.bestNeighbour },
      restarts: this.restarts,
    };
  }

  private moveTo(s: SearchServices, to: Scored): void {
    this.current = { ...to };
    this.queue = s.shuffle(neighbours(s.space, to.index).filter((i) => s.feasible(i))); // constraint: cost look-ups, no queries
    this.bestNeighbour = null;
  }
}
