/**
 * Checks an NSS job makes before it is created (job ring) and again in the task: the FLOPs target is reachable by
 * some network of the Expanded Search Space, and the supernet fits the CPU trainer. Plain TypeScript (no tfjs).
 */
import { UnprocessableError, violation } from '../../common/errors';
import { archFlops, networkCost } from './science/cost';
import { checkFlopsTarget } from './science/flops-loss';
import { NSS_MAX_SUPERNET_PARAMS } from './job/limits';
import { ExpandedSearchSpace, NSS_STAGES, NssArch, NssPresetName, expandedSearchSpace } from './science/space';

const uniform = (d: number, w: number): NssArch => ({ depths: new Array<number>(NSS_STAGES).fill(d), widths: new Array<number>(NSS_STAGES).fill(w) });

/**
 * Min and max FLOPs of the whole Expanded Search Space: every per-stage term T_i grows with d_i, w_{i-1} and w_i
 * (the only non-monotone piece, stage 1's projection vanishing at w_1 = w_0, is smaller than the 9 w_0 w_1 it sits
 * beside), so the extremes are all depths and widths 1 and all d_max, w_max (tested against the exact SpaceFlops).
 */
export function spaceFlopsRange(s: ExpandedSearchSpace): { min: number; max: number } {
  return { min: archFlops(s, uniform(1, 1)), max: archFlops(s, uniform(s.dMax, s.wMax)) };
}

/** 400 naming `field` when no network of the space is within +-10 % of the target (Table 1's criterion). */
export function checkReachableTarget(s: ExpandedSearchSpace, target: number, field: string): void {
  const { min, max } = spaceFlopsRange(s);
  checkFlopsTarget(target, min, max, field);
}

/** Parameters of the weight-sharing supernet (the largest network; every first block with its projection). */
export function supernetParams(s: ExpandedSearchSpace): number {
  return networkCost(s, uniform(s.dMax, s.wMax)).params + s.stemWidth * s.wMax;
}

/** 422 naming `field` when the supernet is larger than `maxParams`. */
export function checkSupernetSize(s: ExpandedSearchSpace, maxParams: number, field: string): void {
  const p = supernetParams(s);
  if (p > maxParams) {
    throw new UnprocessableError(`the ${s.name} preset's supernet has ${(p / 1e6).toFixed(1)} M parameters, more than this service's CPU trainer takes (${maxParams / 1e6} M)`, [
      violation(field, 'supernetSize', `the ${s.name} preset's supernet (${(p / 1e6).toFixed(1)} M parameters) does not fit the CPU trainer (at most ${maxParams / 1e6} M); use preset small`),
    ]);
  }
}

/** The Expanded Search Space of a dataset, checked: target reachable (400) and supernet size (422), naming `<prefix>.targetFlops` / `<prefix>.preset`. */
export function nssSpaceOf(preset: NssPresetName, imageShape: [number, number, number], numClasses: number, targetFlops: number | null, prefix = 'input'): ExpandedSearchSpace {
  const s = expandedSearchSpace(preset, imageShape, numClasses);
  if (targetFlops !== null) checkReachableTarget(s, targetFlops, `${prefix}.targetFlops`); // a latency target is checked against its LUT
  checkSupernetSize(s, NSS_MAX_SUPERNET_PARAMS, `${prefix}.preset`);
  return s;
}
