/**
 * ScaleNet search spaces (Xie et al. 2022): the base-model space of Table 6 (MBConv stages, expand 3/6, kernel
 * 3/5/7, SE on/off, n_min..n_max blocks per stage) and the scaling-strategy space of Table 7 (depth / width /
 * resolution coefficients per scaling stage j = 0..M). Two presets: `paper` (Table 6 as printed, 224x224, 1,000
 * classes) and `small` (32x32 images, same structure, narrower, fewer stride-2 steps; see SMALL_PRESET_DOC).
 * Pure TypeScript: no Nest, no database, no tensors.
 */
import { InvalidInputError, violation } from '../../../common/errors';

/** The choices of one MBConv block of a base model (one row of Fig. 10: "MB e - K k - SE"). */
export interface BlockChoice {
  /** Expand rate e: hidden channels = e x block input channels (1 = no expand conv, stage 1 of Table 6). */
  expand: number;
  /** Depthwise kernel size k (k x k). */
  kernel: number;
  /** Squeeze-and-excitation on the hidden tensor. */
  se: boolean;
}

/** A base model alpha: for each searchable stage of the preset (Table 6 stages 1..7), its blocks in order. */
export interface BaseModel {
  stages: BlockChoice[][];
}

/** A scaling strategy S_j = [d_j, w_j, r_j] (Sec. 3.1): real coefficients >= 1. */
export interface ScalingStrategy {
  d: number;
  w: number;
  r: number;
}

/** A path of the super-supernet: a base model and a scaling strategy (Sec. 3.2). */
export interface ScaleNetPath {
  base: BaseModel;
  strategy: ScalingStrategy;
}

/** One searchable stage of Table 6. */
export interface StageSpec {
  name: string;
  minBlocks: number;
  maxBlocks: number;
  expands: readonly number[];
  kernels: readonly number[];
  seChoices: readonly boolean[];
  /** Output channels ("Channel" column) before width scaling. */
  channels: number;
  /** Stride of the stage's first block. */
  stride: 1 | 2;
}

/** A coefficient interval of Table 7: min, min + step, ..., max. */
export interface CoefficientRange {
  min: number;
  step: number;
  max: number;
}

/** One row of Table 7 (scaling stage j). Depth and width share the interval in the paper; kept separate here. */
export interface ScalingStageRange {
  depth: CoefficientRange;
  width: CoefficientRange;
  resolution: CoefficientRange;
}

export interface ScaleNetPreset {
  name: string;
  /** Human-readable statement of what this preset is (quoted in job results and benchmark JSON). */
  doc: string;
  /** Base input resolution (Eq. 30 multiplies it by r). */
  resolution: number;
  inChannels: number;
  classes: number;
  /** Conv_stem: 3x3 conv, output channels are width-scaled (W_O), input channels are not (W_I). */
  stem: { channels: number; kernel: number; stride: 1 | 2 };
  stages: readonly StageSpec[];
  /** Conv_out: 1x1 conv; input channels follow the last stage (W_I), output channels are NOT scaled (W_O). */
  head: { channels: number };
  /** SE squeeze channels = max(1, floor(seRatio x block input channels)) (EfficientNet / torchvision convention). */
  seRatio: number;
  /** Table 7 rows j = 0..3 (scaling stage 0 is the base model). */
  scaling: readonly ScalingStageRange[];
  /** f0 is the multiple of this many multiply-adds nearest to the Monte Carlo mean (appendix A: 50M for ImageNet). */
  f0Quantum: number;
}

const MB = (name: string, min: number, max: number, expands: number[], channels: number, stride: 1 | 2): StageSpec => ({
  name,
  minBlocks: min,
  maxBlocks: max,
  expands,
  kernels: [3, 5, 7],
  seChoices: [false, true],
  channels,
  stride,
});

/** Table 7 of the paper (M = 3): depth/width step 0.04, resolution step 0.07. */
export const TABLE7_SCALING: readonly ScalingStageRange[] = [
  { depth: { min: 1, step: 0, max: 1 }, width: { min: 1, step: 0, max: 1 }, resolution: { min: 1, step: 0, max: 1 } },
  { depth: { min: 1.04, step: 0.04, max: 1.16 }, width: { min: 1.04, step: 0.04, max: 1.16 }, resolution: { min: 1.0, step: 0.07, max: 1.14 } },
  { depth: { min: 1.2, step: 0.04, max: 1.36 }, width: { min: 1.2, step: 0.04, max: 1.36 }, resolution: { min: 1.21, step: 0.07, max: 1.35 } },
  { depth: { min: 1.4, step: 0.04, max: 1.64 }, width: { min: 1.4, step: 0.04, max: 1.64 }, resolution: { min: 1.43, step: 0.07, max: 1.57 } },
];

export const PAPER_PRESET_DOC =
  'paper: Table 6 of ScaleNet as printed: 224x224x3 input, 1,000 classes; Conv_stem 3x3/2 to 32 ch; stages ' +
  '1-7 of MBConv with (n_min..n_max, expand, out ch, stride) = (1..1, 1, 16, 1), (1..4, 3/6, 32, 2), (1..4, 3/6, 40, 2), ' +
  '(1..4, 3/6, 80, 2), (1..4, 3/6, 96, 1), (1..4, 3/6, 192, 2), (1..1, 3/6, 320, 1); kernel 3/5/7 and SE on/off per ' +
  'block; Conv_out 1x1 to 1280 ch (not width-scaled); global average pool; FC to 1,000. Scaling strategies: Table 7.';

export const SMALL_PRESET_DOC =
  'small: the structure of Table 6 for 32x32x3 images and 10 classes, trainable on 2 CPU cores: the same 7 MBConv ' +
  'stages, block choices (expand 3/6, kernel 3/5/7, SE on/off; stage 1 expand 1) and n_min..n_max, but 3 stride-2 ' +
  'steps instead of 5 (Conv_stem and stage 6 have stride 1; stages 2, 3 and 4 keep stride 2: 32 -> 32 -> 16 -> 8 -> 4) ' +
  'and a quarter of the channels (stem 8; stages 4, 8, 10, 20, 24, 48, 80; Conv_out 320). f0 is the multiple of 1M ' +
  'multiply-adds nearest to the Monte Carlo mean. Scaling strategies: Table 7 unchanged (resolution 32 x r).';

/** Table 6 at 224x224, 1,000 classes. */
export const PAPER_PRESET: ScaleNetPreset = {
  name: 'paper',
  doc: PAPER_PRESET_DOC,
  resolution: 224,
  inChannels: 3,
  classes: 1000,
  stem: { channels: 32, kernel: 3, stride: 2 },
  stages: [
    MB('stage1', 1, 1, [1], 16, 1),
    MB('stage2', 1, 4, [3, 6], 32, 2),
    MB('stage3', 1, 4, [3, 6], 40, 2),
    MB('stage4', 1, 4, [3, 6], 80, 2),
    MB('stage5', 1, 4, [3, 6], 96, 1),
    MB('stage6', 1, 4, [3, 6], 192, 2),
    MB('stage7', 1, 1, [3, 6], 320, 1),
  ],
  head: { channels: 1280 },
  seRatio: 0.25,
  scaling: TABLE7_SCALING,
  f0Quantum: 50e6,
};

/** The `small` preset (SMALL_PRESET_DOC). */
export const SMALL_PRESET: ScaleNetPreset = {
  name: 'small',
  doc: SMALL_PRESET_DOC,
  resolution: 32,
  inChannels: 3,
  classes: 10,
  stem: { channels: 8, kernel: 3, stride: 1 },
  stages: [
    MB('stage1', 1, 1, [1], 4, 1),
    MB('stage2', 1, 4, [3, 6], 8, 2),
    MB('stage3', 1, 4, [3, 6], 10, 2),
    MB('stage4', 1, 4, [3, 6], 20, 2),
    MB('stage5', 1, 4, [3, 6], 24, 1),
    MB('stage6', 1, 4, [3, 6], 48, 1),
    MB('stage7', 1, 1, [3, 6], 80, 1),
  ],
  head: { channels: 320 },
  seRatio: 0.25,
  scaling: TABLE7_SCALING,
  f0Quantum: 1e6,
};

export const PRESETS: Readonly<Record<string, ScaleNetPreset>> = { paper: PAPER_PRESET, small: SMALL_PRESET };
export type PresetName = 'paper' | 'small';

/** The preset of that name; InvalidInputError naming `field` otherwise. */
export function presetByName(name: string, field = 'preset'): ScaleNetPreset {
  const p = Object.prototype.hasOwnProperty.call(PRESETS, name) ? PRESETS[name] : undefined;
  if (!p) throw new InvalidInputError(`unknown preset ${JSON.stringify(name)}`, [violation(field, 'isIn', `must be one of ${Object.keys(PRESETS).join(', ')}`)]);
  return p;
}

/** The values of an interval, min + k*step (rounded to 1e-9 so 1.04 + 3*0.04 is 1.16, not 1.1600000000000001). */
export function rangeValues(r: CoefficientRange): number[] {
  if (r.step === 0) return [r.min];
  const n = Math.round((r.max - r.min) / r.step);
  return Array.from({ length: n + 1 }, (_, k) => Math.round((r.min + k * r.step) * 1e9) / 1e9);
}

/** The grid of one scaling stage: every value of each dimension. */
export interface ScalingStageGrid {
  d: number[];
  w: number[];
  r: number[];
}

/** The scaling-strategy space Omega_0..Omega_M (Table 7 rows 0..M). */
export interface ScalingSpace {
  M: number;
  stages: ScalingStageGrid[];
}

/**
 * Scaling space for maximum scaling stage M (default 3, Table 7). Table 7 gives rows 0..3; M in 1..3 takes the
 * first M+1 rows; larger M needs explicit `rows` (the paper gives no rows beyond stage 3).
 */
export function scalingSpace(preset: ScaleNetPreset, M = 3, rows?: readonly ScalingStageRange[], field = 'M'): ScalingSpace {
  const table = rows ?? preset.scaling;
  if (!Number.isInteger(M) || M < 1) throw new InvalidInputError(`M must be an integer >= 1, got ${M}`, [violation(field, 'min', 'must be an integer >= 1')]);
  if (M > table.length - 1) {
    throw new InvalidInputError(`M = ${M} needs ${M + 1} scaling-stage rows, the table has ${table.length}`, [
      violation(field, 'max', `must be at most ${table.length - 1} with ${rows ? 'the given' : "Table 7's"} scaling rows`),
    ]);
  }
  return { M, stages: table.slice(0, M + 1).map((row) => ({ d: rangeValues(row.depth), w: rangeValues(row.width), r: rangeValues(row.resolution) })) };
}

/** Every strategy of scaling stage j (the grid searched in MCEA's S-steps), in d, w, r order. */
export function stageStrategies(space: ScalingSpace, j: number): ScalingStrategy[] {
  const g = space.stages[j];
  const out: ScalingStrategy[] = [];
  for (const d of g.d) for (const w of g.w) for (const r of g.r) out.push({ d, w, r });
  return out;
}

/** Number of distinct base models of a preset (per stage: sum over n of (block choices)^n). */
export function baseSpaceSize(preset: ScaleNetPreset): number {
  return preset.stages.reduce((acc, s) => {
    const per = s.expands.length * s.kernels.length * s.seChoices.length;
    let sum = 0;
    for (let n = s.minBlocks; n <= s.maxBlocks; n++) sum += per ** n;
    return acc * sum;
  }, 1);
}

/** Number of scaling strategies over stages 0..M (sum of the per-stage grid sizes). */
export function scalingSpaceSize(space: ScalingSpace): number {
  return space.stages.reduce((a, g) => a + g.d.length * g.w.length * g.r.length, 0);
}

/** Throws InvalidInputError naming the first field of `base` that is not in the preset's Table 6 space. */
export function validateBaseModel(preset: ScaleNetPreset, base: BaseModel, field = 'base'): void {
  const bad = (f: string, msg: string): never => {
    throw new InvalidInputError(`${f} ${msg}`, [violation(f, 'inSpace', msg)]);
  };
  if (!base || !Array.isArray(base.stages) || base.stages.length !== preset.stages.length) bad(`${field}.stages`, `must list ${preset.stages.length} stages`);
  base.stages.forEach((blocks, i) => {
    const s = preset.stages[i];
    const f = `${field}.stages[${i}]`;
    if (!Array.isArray(blocks) || blocks.length < s.minBlocks || blocks.length > s.maxBlocks) bad(f, `must have ${s.minBlocks}..${s.maxBlocks} blocks`);
    blocks.forEach((b, k) => {
      if (!b || !s.expands.includes(b.expand)) bad(`${f}[${k}].expand`, `must be one of ${s.expands.join(', ')}`);
      if (!s.kernels.includes(b.kernel)) bad(`${f}[${k}].kernel`, `must be one of ${s.kernels.join(', ')}`);
      if (!s.seChoices.includes(b.se)) bad(`${f}[${k}].se`, `must be one of ${s.seChoices.join(', ')}`);
    });
  });
}

/** A compact, stable text key of a path (for caches and de-duplication). */
export function pathKey(p: ScaleNetPath): string {
  const b = p.base.stages.map((st) => st.map((x) => `${x.expand}${x.kernel}${x.se ? 's' : ''}`).join('.')).join('|');
  return `${b}@${p.strategy.d},${p.strategy.w},${p.strategy.r}`;
}

/** Deep copy of a base model. */
export function cloneBase(b: BaseModel): BaseModel {
  return { stages: b.stages.map((st) => st.map((x) => ({ ...x }))) };
}
