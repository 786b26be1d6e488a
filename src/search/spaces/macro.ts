import type { ArchConstraint, ArchRef } from '../common/evaluator';
import type { Rng } from '../../common/rng';
import type { CellSearchSpace } from '../common/space';

/**
 * NAS-Bench-Macro search space (Su et al., CVPR 2021; data/nasbench_macro/PROVENANCE.md): a CIFAR-10 MobileNetV2-style
 * network with 8 searchable layers in three stages of 2, 3 and 3 layers, each layer one of three ops. The first layer
 * of every stage has stride 2 and doubles the width (32 -> 64 -> 128 -> 256); the others keep stride 1 and the width.
 * Cost-only view: encoding, sampling, mutation and exact params / multiply-adds; no accuracies.
 */

/** Ops per layer, in key-digit order: `0` identity, `1` MB3_K3 (expand 3, kernel 3), `2` MB6_K5 (expand 6, kernel 5). */
export const MACRO_OPS = ['identity', 'MB3_K3', 'MB6_K5'] as const;
export type MacroOp = (typeof MACRO_OPS)[number];
export const MACRO_NUM_LAYERS = 8;
export const MACRO_STAGES: readonly number[] = [2, 3, 3];
/** 3^8 keys. */
export const MACRO_SIZE = MACRO_OPS.length ** MACRO_NUM_LAYERS;
/** Networks once keys that differ only in where stride-1 identities sit are identified: 3*3 x (3*7)^2. */
export const MACRO_DISTINCT_NETWORKS = 3969;

export const MACRO_INPUT = { channels: 3, resolution: 32 } as const;
export const MACRO_STEM_CHANNELS = 32;
export const MACRO_HEAD_CHANNELS = 1280;
export const MACRO_CLASSES = 10;
/** Expansion ratio and depthwise kernel of the two inverted-residual ops. */
export const MACRO_BLOCKS: Readonly<Record<Exclude<MacroOp, 'identity'>, { expand: number; kernel: number }>> = {
  MB3_K3: { expand: 3, kernel: 3 },
  MB6_K5: { expand: 6, kernel: 5 },
};

/** Geometry of one searchable layer (input side and output side). */
export interface MacroLayer {
  layer: number;
  stage: number;
  /** Position within the stage (0 = the stride-2, width-doubling layer). */
  position: number;
  stride: 1 | 2;
  inChannels: number;
  outChannels: number;
  inResolution: number;
  outResolution: number;
}

function buildLayers(): readonly MacroLayer[] {
  const out: MacroLayer[] = [];
  let c = MACRO_STEM_CHANNELS;
  let r = MACRO_INPUT.resolution;
  MACRO_STAGES.forEach((n, stage) => {
    for (let position = 0; position < n; position++) {
      const stride = position === 0 ? 2 : 1;
      const outC = position === 0 ? 2 * c : c;
      out.push(Object.freeze({ layer: out.length, stage, position, stride, inChannels: c, outChannels: outC, inResolution: r, outResolution: r / stride }));
      c = outC;
      r /= stride;
    }
  });
  return Object.freeze(out);
}

/** The 8 searchable layers: stage 0 = layers 0-1 (32->64 ch, 32->16 px), 1 = 2-4 (->128, 8 px), 2 = 5-7 (->256, 4 px). */
export const MACRO_LAYERS: readonly MacroLayer[] = buildLayers();

/** True when an identity in this layer is a no-op (stride 1, same width); else it is a 1x1 conv (stride 2) + BN. */
export function isNoOpIdentity(l: MacroLayer): boolean {
  return l.stride === 1 && l.inChannels === l.outChannels;
}

// ---------------- encoding ----------------

const KEY_RE = /^[012]{8}$/;

/** Whether `key` is an 8-character key of digits 0..2. */
export function isMacroKey(key: unknown): key is string {
  return typeof key === 'string' && KEY_RE.test(key);
}

/** Key (8 digits, layer 0 first) of an index 0..6560 (the key read as a base-3 number). */
export function macroKeyOf(index: number): string {
  checkIndex(index);
  return index.toString(3).padStart(MACRO_NUM_LAYERS, '0');
}

/** Index of a key; -1 when the key is malformed. */
export function macroIndexOfKey(key: string): number {
  return isMacroKey(key) ? parseInt(key, 3) : -1;
}

function checkIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= MACRO_SIZE) throw new RangeError(`macro index ${index} out of range 0..${MACRO_SIZE - 1}`);
}

function opsFromIndex(index: number): number[] {
  const out = new Array<number>(MACRO_NUM_LAYERS);
  let k = index;
  for (let l = MACRO_NUM_LAYERS - 1; l >= 0; l--) {
    out[l] = k % 3;
    k = Math.floor(k / 3);
  }
  return out;
}

function indexFromOps(ops: readonly number[]): number {
  if (ops.length !== MACRO_NUM_LAYERS) throw new RangeError(`a macro arch has ${MACRO_NUM_LAYERS} layers, got ${ops.length}`);
  let k = 0;
  for (const o of ops) {
    if (!Number.isInteger(o) || o < 0 || o > 2) throw new RangeError(`op ${o} out of range 0..2`);
    k = k * 3 + o;
  }
  return k;
}

/**
 * The representative key of the network a key denotes. A stride-1 identity is a no-op, so within a stage the
 * blocks after the first run in the same order wherever the identities sit: moving them to the end of the stage
 * gives the same network (and the benchmark trained it that way, see PROVENANCE "Caveat: duplicates").
 */
export function canonicalMacroOps(ops: readonly number[]): number[] {
  const out: number[] = [];
  let l = 0;
  for (const n of MACRO_STAGES) {
    out.push(ops[l]); // the stride-2 layer: an identity there is a 1x1 conv, not a no-op
    const rest = ops.slice(l + 1, l + n);
    const blocks = rest.filter((o) => o !== 0);
    out.push(...blocks, ...new Array<number>(rest.length - blocks.length).fill(0));
    l += n;
  }
  return out;
}

export function canonicalMacroKey(key: string): string {
  if (!isMacroKey(key)) throw new RangeError(`not a macro key: ${JSON.stringify(key)}`);
  return canonicalMacroOps([...key].map(Number)).join('');
}

// ---------------- cost ----------------

/** Exact cost of one network: `flops` = multiply-adds as the benchmark counts them (see macroCost). */
export interface MacroCost {
  params: number;
  flops: number;
}

/** Params and multiply-adds of one searchable layer with op `op` (0..2). */
export function macroLayerCost(l: MacroLayer, op: number): MacroCost {
  const hw = l.outResolution * l.outResolution;
  if (op === 0) {
    if (isNoOpIdentity(l)) return { params: 0, flops: 0 };
    // 1x1 conv (stride 2) + BN (2 params per channel)
    return { params: l.inChannels * l.outChannels + 2 * l.outChannels, flops: l.inChannels * l.outChannels * hw };
  }
  const { expand, kernel } = MACRO_BLOCKS[MACRO_OPS[op] as Exclude<MacroOp, 'identity'>];
  const h = l.inChannels * expand;
  const inHw = l.inResolution * l.inResolution;
  // 1x1 expand (at the input resolution) + BN, kxk depthwise (stride) + BN, 1x1 project + BN; the residual add is free
  const params = l.inChannels * h + 2 * h + h * kernel * kernel + 2 * h + h * l.outChannels + 2 * l.outChannels;
  const flops = l.inChannels * h * inHw + h * kernel * kernel * hw + h * l.outChannels * hw;
  return { params, flops };
}

/** Stem (3x3 conv 3->32 + BN at 32x32) plus head (1x1 conv 256->1280 + BN at 4x4, pool, linear 1280->10 with bias). */
export function macroFixedCost(): MacroCost {
  const r = MACRO_INPUT.resolution;
  const stem = { params: MACRO_INPUT.channels * MACRO_STEM_CHANNELS * 9 + 2 * MACRO_STEM_CHANNELS, flops: MACRO_INPUT.channels * MACRO_STEM_CHANNELS * 9 * r * r };
  const last = MACRO_LAYERS[MACRO_LAYERS.length - 1];
  const headHw = last.outResolution * last.outResolution;
  const head = { params: last.outChannels * MACRO_HEAD_CHANNELS + 2 * MACRO_HEAD_CHANNELS, flops: last.outChannels * MACRO_HEAD_CHANNELS * headHw };
  const fc = { params: MACRO_HEAD_CHANNELS * MACRO_CLASSES + MACRO_CLASSES, flops: MACRO_HEAD_CHANNELS * MACRO_CLASSES };
  return { params: stem.params + head.params + fc.params, flops: stem.flops + head.flops + fc.flops };
}

/**
 * Exact params and FLOPs of a network. Params: every conv weight (no conv biases), 2 per BN channel, the classifier
 * weights and bias. FLOPs: multiply-adds of the convolutions and of the classifier's weights, as the benchmark's
 * table counts them (the thop convention); BN, ReLU, pooling, residual adds and the classifier's bias adds are not
 * counted. This reproduces the table's `params` and `flops` of all 6,561 keys exactly (test/unit/macro-space.test.ts).
 */
export function macroCost(ops: readonly number[]): MacroCost {
  if (ops.length !== MACRO_NUM_LAYERS) throw new RangeError(`a macro arch has ${MACRO_NUM_LAYERS} layers, got ${ops.length}`);
  const c = macroFixedCost();
  let params = c.params;
  let flops = c.flops;
  for (let l = 0; l < MACRO_NUM_LAYERS; l++) {
    const lc = macroLayerCost(MACRO_LAYERS[l], ops[l]);
    params += lc.params;
    flops += lc.flops;
  }
  return { params, flops };
}

// ---------------- the space ----------------

/**
 * The macro space as a cell space for the search core (8 "edges" = layers, 3 ops; index = key read in base 3,
 * layer 0 most significant), plus key encoding, uniform sampling, one-layer mutation, exact costs and the
 * network equivalence. Costs of all 6,561 keys are computed once on construction (a few ms).
 */
export class MacroSearchSpace implements CellSearchSpace {
  readonly size = MACRO_SIZE;
  readonly numEdges = MACRO_NUM_LAYERS;
  readonly numOps = MACRO_OPS.length;
  private readonly opsCache: ReadonlyArray<readonly number[]>;
  private readonly flopsCol: Float64Array;
  private readonly paramsCol: Float64Array;
  private readonly canonical: Int32Array;

  constructor() {
    const ops: (readonly number[])[] = new Array(MACRO_SIZE);
    this.flopsCol = new Float64Array(MACRO_SIZE);
    this.paramsCol = new Float64Array(MACRO_SIZE);
    this.canonical = new Int32Array(MACRO_SIZE);
    for (let i = 0; i < MACRO_SIZE; i++) {
      const o = opsFromIndex(i);
      ops[i] = Object.freeze(o);
      const c = macroCost(o);
      this.flopsCol[i] = c.flops;
      this.paramsCol[i] = c.params;
      this.canonical[i] = indexFromOps(canonicalMacroOps(o));
    }
    this.opsCache = ops;
  }

  opsOf(index: number): readonly number[] {
    checkIndex(index);
    return this.opsCache[index];
  }

  indexOf(ops: readonly number[]): number {
    return indexFromOps(ops);
  }

  /** Encode: index -> 8-digit key. */
  keyOf(index: number): string {
    return macroKeyOf(index);
  }

  /** Decode: key -> index; throws RangeError on a malformed key. */
  indexOfKey(key: string): number {
    const i = macroIndexOfKey(key);
    if (i < 0) throw new RangeError(`not a macro key (8 digits 0-2): ${JSON.stringify(key)}`);
    return i;
  }

  /** Uniformly random key index (each of the 6,561 keys with probability 1/6,561). */
  sample(rng: Rng): number {
    return rng.int(MACRO_SIZE);
  }

  /** Uniformly random network: its canonical key index (each of the 3,969 networks equally likely). */
  sampleNetwork(rng: Rng): number {
    for (;;) {
      const i = rng.int(MACRO_SIZE);
      // rejection: accept a key only when it is its network's representative -> uniform over networks
      if (this.canonical[i] === i) return i;
    }
  }

  /** One layer (uniform) set to a different op (uniform among the other two). */
  mutate(index: number, rng: Rng): number {
    const ops = this.opsOf(index).slice();
    const l = rng.int(MACRO_NUM_LAYERS);
    ops[l] = (ops[l] + 1 + rng.int(MACRO_OPS.length - 1)) % MACRO_OPS.length;
    return indexFromOps(ops);
  }

  /** Multiply-adds (count, benchmark convention) of a key. */
  flops(index: number): number {
    checkIndex(index);
    return this.flopsCol[index];
  }

  /** Parameters (count) of a key. */
  params(index: number): number {
    checkIndex(index);
    return this.paramsCol[index];
  }

  /** Whole FLOPs column by index (do not mutate). */
  flopsColumn(): Float64Array {
    return this.flopsCol;
  }

  paramsColumn(): Float64Array {
    return this.paramsCol;
  }

  /** Index of the canonical key of the network `index` denotes (see canonicalMacroOps). */
  canonicalIndex(index: number): number {
    checkIndex(index);
    return this.canonical[index];
  }

  /** Whether a key fits a FLOPs budget (multiply-adds, inclusive). */
  feasible(index: number, maxFlops: number): boolean {
    return this.flops(index) <= maxFlops;
  }
}

let shared: MacroSearchSpace | null = null;

/** The process-wide space (it is immutable). */
export function macroSpace(): MacroSearchSpace {
  return (shared ??= new MacroSearchSpace());
}

/** Feasibility under a FLOPs budget as a search-core constraint. */
export function macroFlopsConstraint(space: MacroSearchSpace, maxFlops: number, field = 'maxFlops'): ArchConstraint {
  if (!Number.isFinite(maxFlops) || maxFlops < 0) throw new RangeError(`${field} must be a finite number >= 0, got ${maxFlops}`);
  return {
    field,
    description: `FLOPs <= ${maxFlops} multiply-adds (NAS-Bench-Macro count)`,
    feasible: (arch: ArchRef) => space.feasible(arch.index, maxFlops),
  };
}
