/**
 * Exact cost of an Expanded Search Space network. FLOPs are multiply-accumulates (MACs) of the convolutions and of
 * the fully connected layer, the convention of the papers NSS follows (RegNet's "flops"); BatchNorm, ReLU, the
 * residual additions and the global average pool are NOT counted. Params: conv weights (no bias: each conv is
 * followed by BN) and the FC weight and bias; the BN affine parameters (2 per channel) are reported separately as
 * `bnParams` and running statistics are not parameters.
 *
 * FLOPs decompose into per-stage terms: FLOPs(a) = stem + sum_i T_i(d_i, w_{i-1}, w_i) + FC(w_3) with w_0 = 16,
 * which the space statistics (flops-distribution.ts) and the relaxed FLOPs of Theta (flops-loss.ts) exploit.
 */
import { ExpandedSearchSpace, NSS_STAGES, NSS_STRIDES, NssArch, needsProjection, stageResolutions, validateArch } from './space';

export interface LayerCost {
  /** `stem`, `s<i>.b<j>.conv1|conv2|proj`, `fc` (1-based stage and block). */
  name: string;
  kind: 'conv' | 'fc';
  kernel: number;
  cin: number;
  cout: number;
  stride: number;
  /** Output spatial size (1 x 1 for the FC layer). */
  outH: number;
  outW: number;
  macs: number;
  params: number;
  /** BN affine parameters of the BN that follows (0 for the FC layer). */
  bnParams: number;
}

export interface NetworkCost {
  /** Multiply-accumulates of convs and FC (BN not counted). */
  flops: number;
  /** Conv weights + FC weight and bias (BN not counted). */
  params: number;
  /** BN gamma and beta of every BN. */
  bnParams: number;
  layers: LayerCost[];
}

function conv(name: string, k: number, cin: number, cout: number, stride: number, outH: number, outW: number): LayerCost {
  const params = k * k * cin * cout;
  return { name, kind: 'conv', kernel: k, cin, cout, stride, outH, outW, macs: params * outH * outW, params, bnParams: 2 * cout };
}

/** Every layer of `arch` with its exact cost, in forward order. */
export function networkLayers(s: ExpandedSearchSpace, arch: NssArch): LayerCost[] {
  validateArch(s, arch);
  const [h, w, cin] = s.inputShape;
  const res = stageResolutions(s);
  const layers: LayerCost[] = [conv('stem', 3, cin, s.stemWidth, 1, h, w)];
  let prev = s.stemWidth;
  for (let i = 0; i < NSS_STAGES; i++) {
    const [oh, ow] = res[i];
    const wi = arch.widths[i];
    for (let j = 0; j < arch.depths[i]; j++) {
      const first = j === 0;
      const c0 = first ? prev : wi;
      const stride = first ? NSS_STRIDES[i] : 1;
      layers.push(conv(`s${i + 1}.b${j + 1}.conv1`, 3, c0, wi, stride, oh, ow), conv(`s${i + 1}.b${j + 1}.conv2`, 3, wi, wi, 1, oh, ow));
      if (first && needsProjection(i, prev, wi)) layers.push(conv(`s${i + 1}.b${j + 1}.proj`, 1, prev, wi, stride, oh, ow));
    }
    prev = wi;
  }
  layers.push({ name: 'fc', kind: 'fc', kernel: 1, cin: prev, cout: s.numClasses, stride: 1, outH: 1, outW: 1, macs: prev * s.numClasses, params: prev * s.numClasses + s.numClasses, bnParams: 0 });
  return layers;
}

/** Exact FLOPs (MACs) and params of one network. */
export function networkCost(s: ExpandedSearchSpace, arch: NssArch): NetworkCost {
  const layers = networkLayers(s, arch);
  return {
    flops: layers.reduce((a, l) => a + l.macs, 0),
    params: layers.reduce((a, l) => a + l.params, 0),
    bnParams: layers.reduce((a, l) => a + l.bnParams, 0),
    layers,
  };
}

/** FLOPs of the stem: 3x3 conv w_in -> w0 at full resolution. */
export function stemFlops(s: ExpandedSearchSpace): number {
  return 9 * s.inputShape[2] * s.stemWidth * s.inputShape[0] * s.inputShape[1];
}

/** FLOPs of the classifier: w_3 x classes. */
export function fcFlops(s: ExpandedSearchSpace, w3: number): number {
  return w3 * s.numClasses;
}

/**
 * T_i(d, w_{i-1}, w): FLOPs of stage i (0-based) with d blocks of width w after a stage of width wPrev, at output
 * resolution H_i x W_i: HW [9 wPrev w (conv1 of block 1) + [projection] wPrev w + 9 w^2 (its conv2) + 18 (d-1) w^2].
 */
export function stageFlops(s: ExpandedSearchSpace, stage: number, d: number, wPrev: number, w: number): number {
  const [oh, ow] = stageResolutions(s)[stage];
  const proj = needsProjection(stage, wPrev, w) ? wPrev * w : 0;
  return oh * ow * (9 * wPrev * w + proj + 9 * w * w + 18 * (d - 1) * w * w);
}

/** The same FLOPs as networkCost(...).flops, from the per-stage decomposition. */
export function archFlops(s: ExpandedSearchSpace, arch: NssArch): number {
  let f = stemFlops(s) + fcFlops(s, arch.widths[NSS_STAGES - 1]);
  let prev = s.stemWidth;
  for (let i = 0; i < NSS_STAGES; i++) {
    f += stageFlops(s, i, arch.depths[i], prev, arch.widths[i]);
    prev = arch.widths[i];
  }
  return f;
}
