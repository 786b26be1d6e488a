/** Activation shape of one sample: channels x height x width (a vector is c x 1 x 1). */
export interface Shape {
  readonly c: number;
  readonly h: number;
  readonly w: number;
}

export type Pair = number | readonly [number, number];

export interface Conv2dSpec {
  kind: 'conv2d';
  inChannels: number;
  outChannels: number;
  kernel: Pair;
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  groups?: number;
  bias?: boolean;
}
export interface BatchNorm2dSpec {
  kind: 'batchnorm2d';
  channels: number;
  /** Learnable scale and shift (2 params per channel); default true. */
  affine?: boolean;
}
export interface LinearSpec {
  kind: 'linear';
  inFeatures: number;
  outFeatures: number;
  bias?: boolean;
}
export interface Pool2dSpec {
  kind: 'avgpool2d' | 'maxpool2d';
  kernel: Pair;
  stride?: Pair;
  padding?: Pair;
}
export interface GlobalAvgPoolSpec {
  kind: 'globalavgpool';
}
export interface ActivationSpec {
  kind: 'relu' | 'identity';
}
/** NB201/DARTS `none`: outputs zeros of the input shape. */
export interface ZeroSpec {
  kind: 'zero';
}
export interface FlattenSpec {
  kind: 'flatten';
}
/** Element-wise sum of `inputs` tensors of the same shape (a DAG node). */
export interface AddSpec {
  kind: 'add';
  inputs: number;
}

export type LayerSpec =
  | Conv2dSpec
  | BatchNorm2dSpec
  | LinearSpec
  | Pool2dSpec
  | GlobalAvgPoolSpec
  | ActivationSpec
  | ZeroSpec
  | FlattenSpec
  | AddSpec;
export type LayerKind = LayerSpec['kind'];

/** Cost of one layer on one input sample. */
export interface LayerCost {
  kind: LayerKind;
  params: number;
  /** Multiply-accumulates (for conv/linear: weights x output positions, plus one add per output for a bias). */
  macs: number;
  output: Shape;
}

function pair(p: Pair | undefined, fallback: number): [number, number] {
  if (p === undefined) return [fallback, fallback];
  return typeof p === 'number' ? [p, p] : [p[0], p[1]];
}

/** Spatial output size of a sliding window (PyTorch floor rule). */
export function windowOut(size: number, kernel: number, stride: number, padding: number, dilation = 1): number {
  return Math.floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1;
}

function numel(s: Shape): number {
  return s.c * s.h * s.w;
}

function checkPositiveInt(v: number, what: string): void {
  if (!Number.isInteger(v) || v <= 0) throw new RangeError(`${what} must be a positive integer, got ${v}`);
}

/**
 * Parameters and multiply-adds of one layer for an input of shape `input`. Rules:
 * conv2d: params = Cout*Cin/g*kh*kw (+Cout bias); macs = Cout*Ho*Wo*Cin/g*kh*kw (+Cout*Ho*Wo bias).
 * linear: params = in*out (+out); macs = in*out (+out).
 * batchnorm2d: params = 2C when affine; macs = numel (one scale-and-shift per element).
 * pooling: no params; macs = kernel area per output element (global pool: input numel).
 * relu/identity/zero/flatten: no params, no macs; add: (inputs-1) x numel additions counted as macs.
 */
export function layerCost(spec: LayerSpec, input: Shape): LayerCost {
  switch (spec.kind) {
    case 'conv2d': {
      const groups = spec.groups ?? 1;
      checkPositiveInt(groups, 'conv2d.groups');
      if (spec.inChannels !== input.c) throw new RangeError(`conv2d expects ${spec.inChannels} input channels, got ${input.c}`);
      if (spec.inChannels % groups || spec.outChannels % groups) throw new RangeError('conv2d channels must be divisible by groups');
      const [kh, kw] = pair(spec.kernel, 1);
      const [sh, sw] = pair(spec.stride, 1);
      const [ph, pw] = pair(spec.padding, 0);
      const [dh, dw] = pair(spec.dilation, 1);
      const output: Shape = { c: spec.outChannels, h: windowOut(input.h, kh, sh, ph, dh), w: windowOut(input.w, kw, sw, pw, dw) };
      const perPosition = (spec.inChannels / groups) * kh * kw * spec.outChannels;
      const positions = output.h * output.w;
      const bias = spec.bias ? spec.outChannels : 0;
      return { kind: 'conv2d', params: perPosition + bias, macs: (perPosition + bias) * positions, output };
    }
    case 'linear': {
      if (spec.inFeatures !== numel(input)) throw new RangeError(`linear expects ${spec.inFeatures} features, got ${numel(input)}`);
      const bias = spec.bias === false ? 0 : spec.outFeatures;
      const w = spec.inFeatures * spec.outFeatures;
      return { kind: 'linear', params: w + bias, macs: w + bias, output: { c: spec.outFeatures, h: 1, w: 1 } };
    }
    case 'batchnorm2d': {
      if (spec.channels !== input.c) throw new RangeError(`batchnorm2d expects ${spec.channels} channels, got ${input.c}`);
      return { kind: 'batchnorm2d', params: spec.affine === false ? 0 : 2 * spec.channels, macs: numel(input), output: input };
    }
    case 'avgpool2d':
    case 'maxpool2d': {
      const [kh, kw] = pair(spec.kernel, 1);
      const [sh, sw] = pair(spec.stride ?? spec.kernel, 1);
      const [ph, pw] = pair(spec.padding, 0);
      const output: Shape = { c: input.c, h: windowOut(input.h, kh, sh, ph), w: windowOut(input.w, kw, sw, pw) };
      return { kind: spec.kind, params: 0, macs: numel(output) * kh * kw, output };
    }
    case 'globalavgpool':
      return { kind: 'globalavgpool', params: 0, macs: numel(input), output: { c: input.c, h: 1, w: 1 } };
    case 'flatten':
      return { kind: 'flatten', params: 0, macs: 0, output: { c: numel(input), h: 1, w: 1 } };
    case 'add':
      return { kind: 'add', params: 0, macs: Math.max(0, spec.inputs - 1) * numel(input), output: input };
    case 'relu':
    case 'identity':
    case 'zero':
      return { kind: spec.kind, params: 0, macs: 0, output: input };
  }
}
