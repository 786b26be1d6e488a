/**
 * Searching one architecture inside a space for a FLOPs target (NSS Sec. 4.3, Table 1), the two sampling procedures
 * of the table: in an Elite Space, draw n = 5 architectures and keep the one closest to the target; in the Expanded
 * Search Space (baseline), keep drawing until one is within +-10 % ("#samples"). Draws are uniform in the space
 * (Eq. 3). Accuracy is not part of this: a caller evaluates the returned architecture.
 */
import type { Rng } from '../../../common/rng';
import { archFlops } from './cost';
import { flopsLoss } from './flops-loss';
import { ExpandedSearchSpace, NetworkSpace, NssArch, sampleArch } from './space';

export interface FoundArch {
  arch: NssArch;
  flops: number;
  /** |FLOPs / target - 1| (Eq. 4). */
  deviation: number;
  /** Architectures drawn. */
  samples: number;
}

/** n uniform draws, the closest to the target kept (first on ties). */
export function closestOfN(s: ExpandedSearchSpace, space: NetworkSpace, target: number, n: number, rng: Rng): FoundArch {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer, got ${n}`);
  let best: FoundArch | null = null;
  for (let k = 0; k < n; k++) {
    const arch = sampleArch(space, rng);
    const flops = archFlops(s, arch);
    const deviation = flopsLoss(flops, target);
    if (best === null || deviation < best.deviation) best = { arch, flops, deviation, samples: n };
  }
  return best as FoundArch;
}

/** Uniform draws until one is within tolerance; null when maxSamples draws found none. */
export function sampleUntilWithin(s: ExpandedSearchSpace, space: NetworkSpace, target: number, rng: Rng, maxSamples = 1_000_000, tolerance = 0.1): FoundArch | null {
  for (let k = 1; k <= maxSamples; k++) {
    const arch = sampleArch(space, rng);
    const flops = archFlops(s, arch);
    const deviation = flopsLoss(flops, target);
    if (deviation <= tolerance) return { arch, flops, deviation, samples: k };
  }
  return null;
}
