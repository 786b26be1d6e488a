/**
 * Exact cost of a ScaleNet path: multiply-adds (the paper's "FLOPs") and parameters, layer by layer with the
 * project's counter (src/search/cost). Network: Conv_stem 3x3 + BN; per MBConv block: [expand 1x1 conv + BN when
 * e != 1], depthwise k x k conv (stride, padding k//2) + BN, [SE: global average pool, 1x1 conv hidden -> squeeze
 * with bias, 1x1 conv squeeze -> hidden with bias], project 1x1 conv + BN, identity shortcut when stride 1 and
 * cin == cout; Conv_out 1x1 + BN; global average pool; FC with bias. Convolutions have no bias (BN follows).
 *
 * Counting convention (`flops`): multiply-adds of every convolution and fully connected layer, including SE's two
 * 1x1 convs and their bias adds, and the classifier's bias adds; NOT counted in `flops`: BatchNorm, activations,
 * pooling, SE's channel-wise rescale, residual additions (these are reported apart in `bnMacs` and `otherMacs`).
 * Params: `params` counts BatchNorm's learnable scale and shift (2 per channel; running statistics are buffers, not
 * params); `paramsWithoutBn` leaves them out.
 */
import { LayerInstance, LayerSpec, Shape, layerCost } from '../../../search/spaces/cost';
import { ConcreteBlock, ConcreteNet, generatePath } from './path';
import { ScaleNetPath, ScaleNetPreset } from './space';

export interface PathCost {
  /** Multiply-adds of conv + FC layers (incl. SE and bias adds): the paper's "FLOPs". */
  flops: number;
  /** All learnable parameters, BatchNorm scale/shift included. */
  params: number;
  /** Parameters without BatchNorm's scale/shift. */
  paramsWithoutBn: number;
  /** BatchNorm multiply-adds (one scale-and-shift per element), not in `flops`. */
  bnMacs: number;
  /** Pooling, SE rescale and residual-add operations, not in `flops`. */
  otherMacs: number;
  /** Input resolution of the path. */
  resolution: number;
}

/** SE squeeze channels of a block: max(1, floor(seRatio x block input channels)). */
export function seChannels(cin: number, seRatio: number): number {
  return Math.max(1, Math.floor(cin * seRatio));
}

/** Hidden channels of a block: e x cin (e is an integer in Table 6, so no rounding is involved). */
export function hiddenOf(b: ConcreteBlock): number {
  return b.expand * b.cin;
}

const conv = (cin: number, cout: number, kernel: number, stride: number, groups = 1, bias = false): LayerSpec => ({
  kind: 'conv2d',
  inChannels: cin,
  outChannels: cout,
  kernel,
  stride,
  padding: Math.floor(kernel / 2),
  groups,
  bias,
});
const bn = (c: number): LayerSpec => ({ kind: 'batchnorm2d', channels: c });

/** A layer list (name, spec, input shape) for the whole network; SE rescale and residual adds appear as `add`. */
export function networkLayers(net: ConcreteNet): LayerInstance[] {
  const out: LayerInstance[] = [];
  let shape: Shape = { c: net.inChannels, h: net.resolution, w: net.resolution };
  const push = (name: string, spec: LayerSpec): void => {
    out.push({ name, spec, input: shape });
    shape = layerCost(spec, shape).output;
  };
  push('stem.conv', conv(net.inChannels, net.stem.cout, net.stem.kernel, net.stem.stride));
  push('stem.bn', bn(net.stem.cout));
  net.stages.forEach((st, i) => {
    st.blocks.forEach((b, k) => {
      const p = `s${i + 1}.b${k}`;
      const blockInput = shape;
      const hid = hiddenOf(b);
      if (b.expand !== 1) {
        push(`${p}.expand`, conv(b.cin, hid, 1, 1));
        push(`${p}.expand.bn`, bn(hid));
      }
      push(`${p}.dw`, conv(hid, hid, b.kernel, b.stride, hid));
      push(`${p}.dw.bn`, bn(hid));
      if (b.se) {
        const hidden = shape;
        const sq = seChannels(b.cin, net.seRatio);
        push(`${p}.se.pool`, { kind: 'globalavgpool' });
        push(`${p}.se.reduce`, conv(hid, sq, 1, 1, 1, true));
        push(`${p}.se.expand`, conv(sq, hid, 1, 1, 1, true));
        shape = hidden;
        out.push({ name: `${p}.se.scale`, spec: { kind: 'add', inputs: 2 }, input: shape }); // hid x H x W multiplies
      }
      push(`${p}.project`, conv(hid, b.cout, 1, 1));
      push(`${p}.project.bn`, bn(b.cout));
      if (b.stride === 1 && b.cin === b.cout && blockInput.c === shape.c && blockInput.h === shape.h) {
        out.push({ name: `${p}.residual`, spec: { kind: 'add', inputs: 2 }, input: shape });
      }
    });
  });
  push('head.conv', conv(net.head.cin, net.head.cout, 1, 1));
  push('head.bn', bn(net.head.cout));
  push('pool', { kind: 'globalavgpool' });
  push('classifier', { kind: 'linear', inFeatures: net.head.cout, outFeatures: net.classes, bias: true });
  return out;
}

/** Exact cost of a concrete network under the convention of this file's header. */
export function networkCost(net: ConcreteNet): PathCost {
  let flops = 0;
  let params = 0;
  let bnParams = 0;
  let bnMacs = 0;
  let otherMacs = 0;
  for (const l of networkLayers(net)) {
    const c = layerCost(l.spec, l.input);
    params += c.params;
    if (c.kind === 'conv2d' || c.kind === 'linear') flops += c.macs;
    else if (c.kind === 'batchnorm2d') {
      bnMacs += c.macs;
      bnParams += c.params;
    } else otherMacs += c.macs;
  }
  return { flops, params, paramsWithoutBn: params - bnParams, bnMacs, otherMacs, resolution: net.resolution };
}

/** Exact cost of a path (base model + scaling strategy) of a preset. */
export function pathCost(preset: ScaleNetPreset, path: ScaleNetPath): PathCost {
  return networkCost(generatePath(preset, path.base, path.strategy));
}

/** The paper's FLOPs (multiply-adds) of a path. */
export function pathFlops(preset: ScaleNetPreset, path: ScaleNetPath): number {
  return pathCost(preset, path).flops;
}
