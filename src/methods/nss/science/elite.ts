/**
 * Elite Space selection (NSS Sec. 3.4): after the search, sample n spaces from P_Theta and keep the one whose FLOPs
 * (the mean FLOPs of its architectures, the reading of flops-loss.ts) is closest to the target. And the Table 1
 * figure "#samples to meet the +-10 % FLOPs criterion" when architectures are drawn uniformly from a space: the
 * number of draws until the first hit is geometric with success probability p = exact fraction of the space's
 * architectures within +-10 % (flops-distribution.ts), so its expectation is 1/p.
 */
import type { Rng } from '../../../common/rng';
import { RelaxedFlops, StageCostModel, flopsLoss } from './flops-loss';
import { SpaceFlops } from './flops-distribution';
import { ExpandedSearchSpace, NetworkSpace, SpaceChoice, spaceOf } from './space';
import { Theta, sampleSpace } from './theta';

export interface EliteCandidate {
  choice: SpaceChoice;
  space: NetworkSpace;
  meanFlops: number;
  /** |meanFlops / target - 1| (Eq. 4). */
  deviation: number;
}

export interface EliteSelection {
  elite: EliteCandidate;
  /** The n candidates in sampling order. */
  candidates: EliteCandidate[];
}

/** Samples n spaces from P_Theta and keeps the one closest to the FLOPs target (or the target of `model`'s cost, e.g. LUT latency; first one on ties). */
export function selectEliteSpace(s: ExpandedSearchSpace, theta: Theta, target: number, n: number, rng: Rng, model?: StageCostModel): EliteSelection {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`);
  const rf = new RelaxedFlops(s, model);
  const candidates: EliteCandidate[] = [];
  for (let k = 0; k < n; k++) {
    const choice = sampleSpace(theta, rng);
    const meanFlops = rf.spaceMean(choice);
    candidates.push({ choice, space: spaceOf(s, choice), meanFlops, deviation: flopsLoss(meanFlops, target) });
  }
  let best = 0;
  for (let k = 1; k < n; k++) if (candidates[k].deviation < candidates[best].deviation) best = k;
  return { elite: candidates[best], candidates };
}

export interface SamplesToMeet {
  archs: number;
  /** Architectures with |FLOPs/target - 1| <= tolerance. */
  within: number;
  /** within / archs. */
  p: number;
  /** 1/p (Infinity when p = 0): expected uniform draws until the first architecture within tolerance. */
  expectedSamples: number;
  /** 1 - (1 - p)^5: chance that 5 uniform draws contain one within tolerance. */
  hitWithin5: number;
}

/** Exact Table 1 figures of uniform sampling in `space` for `target`. */
export function samplesToMeet(s: ExpandedSearchSpace, space: NetworkSpace | SpaceFlops, target: number, tolerance = 0.1): SamplesToMeet {
  const sf = space instanceof SpaceFlops ? space : new SpaceFlops(s, space);
  const within = sf.countBetween(target * (1 - tolerance), target * (1 + tolerance));
  const p = within / sf.archs;
  return { archs: sf.archs, within, p, expectedSamples: p > 0 ? 1 / p : Infinity, hitWithin5: 1 - (1 - p) ** 5 };
}
