/**
 * Expanded Search Space of Network Space Search (Hong et al., NSS, Sec. 3.2 and supplementary Fig. 7-8): a stem
 * (3x3 conv, w0 = 16 channels, BN, ReLU), 3 stages of basic residual blocks (two 3x3 convs, each with BN and
 * ReLU; stages 2 and 3 start with stride 2; a 1x1 conv + BN projection on the shortcut where the stride or the width
 * changes), global average pooling and a fully connected classifier. Stage i has depth d_i in 1..d_max and width
 * w_i in 1..w_max. A network space A (Sec. 3.3) is, per stage, a contiguous range of depths and one of widths; the
 * ranges tile 1..d_max and 1..w_max (Sec. 4.1: 4 depths x 32 widths per stage => (16/4)^3 x (512/32)^3 = 2^18).
 */
import { InvalidInputError, violation } from '../../../common/errors';
import type { Rng } from '../../../common/rng';

export const NSS_STAGES = 3;
export const NSS_STEM_WIDTH = 16;
export const NSS_STRIDES: readonly number[] = [1, 2, 2];

export type NssPresetName = 'paper' | 'small';

/** The shape of an Expanded Search Space (depth/width limits and how they are cut into network spaces). */
export interface NssPreset {
  name: NssPresetName;
  /** Maximum blocks per stage (d_max). */
  dMax: number;
  /** Maximum channels per stage (w_max). */
  wMax: number;
  /** Consecutive depths per network space (paper: 4). */
  depthsPerSpace: number;
  /** Consecutive widths per network space (paper: 32). */
  widthsPerSpace: number;
}

/**
 * `paper`: Sec. 4.1. `small`: a scaled-down space that trains on 2 CPU cores: d_max = 4 cut into 2 depth ranges of
 * 2, w_max = 32 cut into 4 width ranges of 8, i.e. 2^3 x 4^3 = 512 network spaces of (2 x 8)^3 = 4,096 networks
 * each, (4 x 32)^3 = 2,097,152 networks in all (every FLOPs figure of it is exact by enumeration).
 */
export const NSS_PRESETS: Readonly<Record<NssPresetName, NssPreset>> = {
  paper: { name: 'paper', dMax: 16, wMax: 512, depthsPerSpace: 4, widthsPerSpace: 32 },
  small: { name: 'small', dMax: 4, wMax: 32, depthsPerSpace: 2, widthsPerSpace: 8 },
};

/** An Expanded Search Space for one input shape and class count. */
export interface ExpandedSearchSpace extends Omit<NssPreset, 'name'> {
  /** Preset name, or 'custom'. */
  name: NssPresetName | 'custom';
  /** [height, width, channels] of the input images (w_in = channels). */
  inputShape: [number, number, number];
  numClasses: number;
  /** Stem width w0 (16 in the paper). */
  stemWidth: number;
}

/** One architecture: depth d_i and width w_i per stage. */
export interface NssArch {
  depths: number[];
  widths: number[];
}

/** An inclusive integer range [lo, hi]. */
export type IntRange = [number, number];

/** A network space A: per stage a range of depths and a range of widths (inclusive). */
export interface NetworkSpace {
  depths: IntRange[];
  widths: IntRange[];
}

/** A network space as range indices: depth range k covers depths k*depthsPerSpace+1 .. (k+1)*depthsPerSpace. */
export interface SpaceChoice {
  depth: number[];
  width: number[];
}

function intIn(v: unknown, lo: number, hi: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
}

/** The space of `preset` for the given input; throws InvalidInputError naming the bad field. */
export function expandedSearchSpace(preset: NssPresetName | NssPreset, inputShape: [number, number, number], numClasses: number): ExpandedSearchSpace {
  const p = typeof preset === 'string' ? NSS_PRESETS[preset] : preset;
  if (p === undefined) throw new InvalidInputError(`unknown preset ${String(preset)}`, [violation('preset', 'isIn', `preset must be one of ${Object.keys(NSS_PRESETS).join(', ')}`)]);
  const space: ExpandedSearchSpace = { ...p, name: typeof preset === 'string' ? p.name : 'custom', inputShape: [...inputShape], numClasses, stemWidth: NSS_STEM_WIDTH };
  validateSpace(space);
  return space;
}

/** Throws InvalidInputError naming the first bad field of a space definition. */
export function validateSpace(s: ExpandedSearchSpace): void {
  const bad: Array<[string, string]> = [];
  if (!intIn(s.dMax, 1, 64)) bad.push(['dMax', 'dMax must be an integer in 1..64']);
  if (!intIn(s.wMax, 1, 2048)) bad.push(['wMax', 'wMax must be an integer in 1..2048']);
  if (!intIn(s.depthsPerSpace, 1, s.dMax) || s.dMax % s.depthsPerSpace !== 0) bad.push(['depthsPerSpace', 'depthsPerSpace must divide dMax']);
  if (!intIn(s.widthsPerSpace, 1, s.wMax) || s.wMax % s.widthsPerSpace !== 0) bad.push(['widthsPerSpace', 'widthsPerSpace must divide wMax']);
  if (!Array.isArray(s.inputShape) || s.inputShape.length !== 3 || !s.inputShape.every((d) => intIn(d, 1, 4096))) bad.push(['inputShape', 'inputShape must be [height, width, channels] of positive integers']);
  if (!intIn(s.numClasses, 2, 100000)) bad.push(['numClasses', 'numClasses must be an integer >= 2']);
  if (!intIn(s.stemWidth, 1, 4096)) bad.push(['stemWidth', 'stemWidth must be a positive integer']);
  if (bad.length) throw new InvalidInputError(`invalid Expanded Search Space: ${bad.map((b) => b[1]).join('; ')}`, bad.map(([f, m]) => violation(f, 'range', m)));
}

/** Number of depth ranges per stage (d_max / depthsPerSpace). */
export function depthRangeCount(s: ExpandedSearchSpace): number {
  return s.dMax / s.depthsPerSpace;
}

/** Number of width ranges per stage (w_max / widthsPerSpace). */
export function widthRangeCount(s: ExpandedSearchSpace): number {
  return s.wMax / s.widthsPerSpace;
}

/** Inclusive depth range of index k. */
export function depthRange(s: ExpandedSearchSpace, k: number): IntRange {
  return [k * s.depthsPerSpace + 1, (k + 1) * s.depthsPerSpace];
}

/** Inclusive width range of index k. */
export function widthRange(s: ExpandedSearchSpace, k: number): IntRange {
  return [k * s.widthsPerSpace + 1, (k + 1) * s.widthsPerSpace];
}

/** The network space of a choice of range indices; throws RangeError on an index out of range. */
export function spaceOf(s: ExpandedSearchSpace, c: SpaceChoice): NetworkSpace {
  const nd = depthRangeCount(s);
  const nw = widthRangeCount(s);
  if (c.depth.length !== NSS_STAGES || c.width.length !== NSS_STAGES || !c.depth.every((k) => intIn(k, 0, nd - 1)) || !c.width.every((k) => intIn(k, 0, nw - 1))) {
    throw new RangeError(`a space choice is ${NSS_STAGES} depth range indices in 0..${nd - 1} and ${NSS_STAGES} width range indices in 0..${nw - 1}`);
  }
  return { depths: c.depth.map((k) => depthRange(s, k)), widths: c.width.map((k) => widthRange(s, k)) };
}

/** The whole Expanded Search Space as one network space (every depth 1..d_max, every width 1..w_max). */
export function wholeSpace(s: ExpandedSearchSpace): NetworkSpace {
  return { depths: Array.from({ length: NSS_STAGES }, () => [1, s.dMax] as IntRange), widths: Array.from({ length: NSS_STAGES }, () => [1, s.wMax] as IntRange) };
}

/** Number of network spaces the Expanded Search Space is cut into: (d_max/dps)^3 (w_max/wps)^3. */
export function spaceCount(s: ExpandedSearchSpace): number {
  return (depthRangeCount(s) * widthRangeCount(s)) ** NSS_STAGES;
}

const span = (r: IntRange): number => r[1] - r[0] + 1;

/** Number of architectures in a network space. */
export function archCount(space: NetworkSpace): number {
  let n = 1;
  for (let i = 0; i < NSS_STAGES; i++) n *= span(space.depths[i]) * span(space.widths[i]);
  return n;
}

/** A uniformly random architecture of a network space (Eq. 3: P_theta uniform over a in A). */
export function sampleArch(space: NetworkSpace, rng: Rng): NssArch {
  const pick = (r: IntRange): number => r[0] + rng.int(span(r));
  const depths: number[] = [];
  const widths: number[] = [];
  for (let i = 0; i < NSS_STAGES; i++) {
    depths.push(pick(space.depths[i]));
    widths.push(pick(space.widths[i]));
  }
  return { depths, widths };
}

/** Throws RangeError when `a` is not an architecture of the Expanded Search Space `s`. */
export function validateArch(s: ExpandedSearchSpace, a: NssArch): void {
  if (!Array.isArray(a.depths) || !Array.isArray(a.widths) || a.depths.length !== NSS_STAGES || a.widths.length !== NSS_STAGES) {
    throw new RangeError(`an architecture has ${NSS_STAGES} depths and ${NSS_STAGES} widths`);
  }
  a.depths.forEach((d, i) => {
    if (!intIn(d, 1, s.dMax)) throw new RangeError(`depths[${i}] must be an integer in 1..${s.dMax}, got ${d}`);
  });
  a.widths.forEach((w, i) => {
    if (!intIn(w, 1, s.wMax)) throw new RangeError(`widths[${i}] must be an integer in 1..${s.wMax}, got ${w}`);
  });
}

/** Spatial size after each stage: stride-2 3x3 convs with padding 1 give ceil(h / 2). */
export function stageResolutions(s: ExpandedSearchSpace): Array<[number, number]> {
  let [h, w] = s.inputShape;
  return NSS_STRIDES.map((st) => {
    h = Math.ceil(h / st);
    w = Math.ceil(w / st);
    return [h, w];
  });
}

/** Whether block 1 of stage i needs the 1x1 conv + BN projection shortcut (stride != 1 or width changes). */
export function needsProjection(stage: number, cin: number, cout: number): boolean {
  return NSS_STRIDES[stage] !== 1 || cin !== cout;
}

export function formatSpace(space: NetworkSpace): string {
  return space.depths.map((d, i) => `s${i + 1}: d ${d[0]}-${d[1]}, w ${space.widths[i][0]}-${space.widths[i][1]}`).join('; ');
}
