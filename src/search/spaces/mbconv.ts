/**
 * An elastic MBConv search space (OFA, Cai et al. 2020, Sec. 3.2: elastic depth, width, expand ratio, kernel; the
 * shape of the ScaleNet and NSS spaces) and its sub-network configurations: validation (RangeError naming the bad
 * field), uniform sampling, and the largest configuration (the supernet's weight shapes).
 * Network: stem conv3x3 (fixed width) + BN + act; S stages of `depth` MBConv blocks at `width` output channels, the
 * first block of a stage with the stage's stride; head conv1x1 (fixed width) + BN + act; global average pool; linear.
 */
import type { Rng } from '../../common/rng';

export type MbconvActivation = 'relu6' | 'swish';

/** The choices of one stage. Per-stage depth and width; per-block expand ratio and kernel (OFA). */
export interface MbconvStageSpace {
  /** Allowed depths (blocks); the largest is d_max. */
  depths: readonly number[];
  /** Allowed output channel counts; the largest is the weight's channel count. */
  widths: readonly number[];
  /** Allowed expand ratios e: hidden channels = round(e * block input channels). */
  expandRatios: readonly number[];
  /** Allowed odd depthwise kernel sizes; the largest is the weight's kernel. */
  kernels: readonly number[];
  /** Stride of the stage's first block. */
  stride: 1 | 2;
}

export interface MbconvSpace {
  /** [height, width, channels] of the input images. */
  inputShape: [number, number, number];
  numClasses: number;
  stemWidth: number;
  stemStride: 1 | 2;
  stages: readonly MbconvStageSpace[];
  headWidth: number;
  activation: MbconvActivation;
}

export interface MbconvBlockConfig {
  expandRatio: number;
  kernel: number;
}

export interface MbconvStageConfig {
  depth: number;
  width: number;
  /** One entry per active block (length = depth). */
  blocks: MbconvBlockConfig[];
}

/** A sub-network: one entry per stage. */
export interface MbconvConfig {
  stages: MbconvStageConfig[];
}

const isPosInt = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 1;

function checkList(field: string, a: readonly number[] | undefined, ok: (n: number) => boolean, what: string): void {
  if (!Array.isArray(a) || a.length === 0 || !a.every((n) => typeof n === 'number' && ok(n))) {
    throw new RangeError(`${field} must be a non-empty list of ${what}`);
  }
}

/** Throws a RangeError naming the first invalid field of a space. */
export function validateSpace(space: MbconvSpace): void {
  const [h, w, c] = space.inputShape ?? [];
  if (![h, w, c].every(isPosInt)) throw new RangeError('inputShape must be three positive integers');
  if (!isPosInt(space.numClasses) || space.numClasses < 2) throw new RangeError('numClasses must be an integer >= 2');
  if (!isPosInt(space.stemWidth)) throw new RangeError('stemWidth must be a positive integer');
  if (space.stemStride !== 1 && space.stemStride !== 2) throw new RangeError('stemStride must be 1 or 2');
  if (!isPosInt(space.headWidth)) throw new RangeError('headWidth must be a positive integer');
  if (space.activation !== 'relu6' && space.activation !== 'swish') throw new RangeError('activation must be relu6 or swish');
  if (!Array.isArray(space.stages) || space.stages.length === 0) throw new RangeError('stages must be a non-empty list');
  space.stages.forEach((s, i) => {
    checkList(`stages[${i}].depths`, s.depths, isPosInt, 'positive integers');
    checkList(`stages[${i}].widths`, s.widths, isPosInt, 'positive integers');
    checkList(`stages[${i}].expandRatios`, s.expandRatios, (e) => Number.isFinite(e) && e > 0, 'positive numbers');
    checkList(`stages[${i}].kernels`, s.kernels, (k) => isPosInt(k) && k % 2 === 1, 'odd positive integers');
    if (s.stride !== 1 && s.stride !== 2) throw new RangeError(`stages[${i}].stride must be 1 or 2`);
  });
}

/** Hidden (expanded) channels of a block: round(e * cin), at least 1. */
export function hiddenChannels(cin: number, expandRatio: number): number {
  return Math.max(1, Math.round(cin * expandRatio));
}

/** Throws a RangeError naming the first field of `config` that is not a choice of `space`. */
export function validateConfig(space: MbconvSpace, config: MbconvConfig): void {
  if (!config || !Array.isArray(config.stages) || config.stages.length !== space.stages.length) {
    throw new RangeError(`stages must have one entry per stage (${space.stages.length})`);
  }
  config.stages.forEach((s, i) => {
    const sp = space.stages[i];
    const f = `stages[${i}]`;
    if (!s || !sp.depths.includes(s.depth)) throw new RangeError(`${f}.depth must be one of ${sp.depths.join(', ')}`);
    if (!sp.widths.includes(s.width)) throw new RangeError(`${f}.width must be one of ${sp.widths.join(', ')}`);
    if (!Array.isArray(s.blocks) || s.blocks.length !== s.depth) throw new RangeError(`${f}.blocks must have depth (${s.depth}) entries`);
    s.blocks.forEach((b, j) => {
      if (!b || !sp.expandRatios.includes(b.expandRatio)) throw new RangeError(`${f}.blocks[${j}].expandRatio must be one of ${sp.expandRatios.join(', ')}`);
      if (!sp.kernels.includes(b.kernel)) throw new RangeError(`${f}.blocks[${j}].kernel must be one of ${sp.kernels.join(', ')}`);
    });
  });
}

const max = (a: readonly number[]): number => Math.max(...a);

/** The largest sub-network (every choice at its maximum): it fixes the supernet's weight shapes. */
export function maxConfig(space: MbconvSpace): MbconvConfig {
  return {
    stages: space.stages.map((s) => ({
      depth: max(s.depths),
      width: max(s.widths),
      blocks: Array.from({ length: max(s.depths) }, () => ({ expandRatio: max(s.expandRatios), kernel: max(s.kernels) })),
    })),
  };
}

/** A uniformly random sub-network: every depth, width, expand ratio and kernel drawn independently and uniformly. */
export function sampleConfig(space: MbconvSpace, rng: Rng): MbconvConfig {
  const pick = <T>(a: readonly T[]): T => a[rng.int(a.length)];
  return {
    stages: space.stages.map((s) => {
      const depth = pick(s.depths);
      const width = pick(s.widths);
      const blocks = Array.from({ length: depth }, () => ({ expandRatio: pick(s.expandRatios), kernel: pick(s.kernels) }));
      return { depth, width, blocks };
    }),
  };
}

/** Deep copy of a configuration. */
export function cloneConfig(config: MbconvConfig): MbconvConfig {
  return { stages: config.stages.map((s) => ({ depth: s.depth, width: s.width, blocks: s.blocks.map((b) => ({ ...b })) })) };
}
