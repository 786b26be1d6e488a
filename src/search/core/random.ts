import type { SearchServices, SearchStrategy } from './types';

/**
 * Random search: each proposal is a uniformly random arch not seen before (sampling without replacement, which is
 * what sampling with replacement and skipping cached duplicates amounts to).
 */
export class RandomSearch implements SearchStrategy {
  propose(s: SearchServices): number {
    return s.randomUnknown();
  }

  onScore(): void {
    // stateless
  }

  onInfeasible(): void {
    // stateless
  }

  toJSON(): Record<string, never> {
    return {};
  }
}
