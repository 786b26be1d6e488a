/**
 * Path generation (appendix F, Eq. 28-30): a base model and a scaling strategy become one concrete network.
 * Depth: each stage (all of Table 6's stages 1-7 have D = yes) gets n_s = ceil(n x d) blocks, the extra blocks being
 * copies of the stage's last (non-identity) block. Width: c_s = ceil(c x w) on the scalable layers only: Conv_stem's
 * output (its 3 input channels are not scaled), every stage's input/output, Conv_out's input; Conv_out's output
 * (1280) and the classifier are not scaled. Resolution: r_s = ceil(base x r), which changes all layers before the
 * pooling. The ceilings are taken after rounding the product to 1e-9, so 5 x 1.2 = 6.000000000000001 gives 6.
 */
import { BaseModel, BlockChoice, ScaleNetPreset, ScalingStrategy } from './space';

/** One block of a concrete network. */
export interface ConcreteBlock extends BlockChoice {
  cin: number;
  cout: number;
  stride: 1 | 2;
}

export interface ConcreteStage {
  name: string;
  cout: number;
  blocks: ConcreteBlock[];
}

/** A fully specified MBConv network (what the cost counter and, later, the trainer consume). */
export interface ConcreteNet {
  resolution: number;
  inChannels: number;
  classes: number;
  stem: { cout: number; kernel: number; stride: 1 | 2 };
  stages: ConcreteStage[];
  head: { cin: number; cout: number };
  seRatio: number;
}

/** ceil(x) of a product of decimals, robust to binary rounding (Eq. 28-30). */
export function ceilScaled(base: number, coef: number): number {
  return Math.ceil(Math.round(base * coef * 1e9) / 1e9);
}

/** Eq. 28: number of blocks after depth scaling. */
export function scaledDepth(n: number, d: number): number {
  return ceilScaled(n, d);
}

/** Eq. 29: channel number after width scaling. */
export function scaledWidth(c: number, w: number): number {
  return ceilScaled(c, w);
}

/** Eq. 30: input resolution after resolution scaling. */
export function scaledResolution(base: number, r: number): number {
  return ceilScaled(base, r);
}

/** The concrete network of base model `base` scaled by `s` (Eq. 28-30). */
export function generatePath(preset: ScaleNetPreset, base: BaseModel, s: ScalingStrategy): ConcreteNet {
  if (!(s.d >= 1 && s.w >= 1 && s.r >= 1)) throw new RangeError(`scaling coefficients must be >= 1, got d=${s.d} w=${s.w} r=${s.r}`);
  const stemOut = scaledWidth(preset.stem.channels, s.w); // W_O of Conv_stem
  let cin = stemOut;
  const stages: ConcreteStage[] = preset.stages.map((spec, i) => {
    const chosen = base.stages[i];
    const n = chosen.length;
    const ns = scaledDepth(n, s.d); // Eq. 28
    const cout = scaledWidth(spec.channels, s.w); // Eq. 29
    const last = chosen[n - 1];
    const blocks: ConcreteBlock[] = [];
    for (let k = 0; k < ns; k++) {
      const choice = k < n ? chosen[k] : last; // extra blocks copy the last non-identity block
      blocks.push({ expand: choice.expand, kernel: choice.kernel, se: choice.se, cin: k === 0 ? cin : cout, cout, stride: k === 0 ? spec.stride : 1 });
    }
    cin = cout;
    return { name: spec.name, cout, blocks };
  });
  return {
    resolution: scaledResolution(preset.resolution, s.r), // Eq. 30
    inChannels: preset.inChannels,
    classes: preset.classes,
    stem: { cout: stemOut, kernel: preset.stem.kernel, stride: preset.stem.stride },
    stages,
    head: { cin, cout: preset.head.channels }, // W_I scaled, W_O not
    seRatio: preset.seRatio,
  };
}
