// The network a CONet job optimises, as a plain descriptor (what crosses the process boundary and goes into the
// exported bundle) resolved to the trial runner's ConetNetworkSpec, its cost (params, FLOPs) and its LayersModel
// export. Presets: the ResNet for 32x32 images (resnet-preset.ts) and an NB201 cell network (nb201-preset.ts);
// a model file names one of them (nb201-train's `nb201-model/1`, or a CONet bundle that continues from its sizes).
import * as fs from 'node:fs';
import type * as tfl from '@tensorflow/tfjs-layers';
import { UnprocessableError, violation } from '../../../common/errors';
import { parseArchStr } from '../../../benchmarks/nb201/arch';
import { LayerInstance, LayerRecorder, LayerSpec, NB201_FLOPS_CONVENTION, Shape, countNetwork } from '../../../search/spaces/cost';
import { readCheckpointFile } from '../../../trainer/checkpoint-file';
import { opKernel } from '../../../trainer/nb201/forward';
import { NB201_MODEL_FORMAT } from '../../../trainer/nb201/model-file';
import { CONET_BUNDLE_FORMAT, CONET_INPUT_FORMATS } from '../formats';
import { nodeDepths, tunableGroups } from '../science/channel-graph';
import { toLayersModel } from './export-layers';
import { nb201ToLayersModel } from './export-nb201-layers';
import { ConetNetwork, ConetNetworkSpec } from './network-spec';
import { Nb201GroupNetwork, Nb201Layout, Nb201Preset, nb201Layout, nb201Spec } from './nb201-preset';
import { ResNetNetwork, ResNetPreset, resnetCost, resnetLayers, resnetLayout, resnetSpec } from './resnet-preset';

export type ConetPresetDescriptor =
  | { kind: 'resnet'; blocksPerStage: [number, number, number]; stageChannels: [number, number, number] }
  | { kind: 'nb201'; arch: string; C: number; N: number };

export interface ResolvedNetwork {
  descriptor: ConetPresetDescriptor;
  spec: ConetNetworkSpec;
  /** tunable groups: id, the DAG nodes they size, starting channels */
  groups: Array<{ group: number; nodes: string[]; start: number }>;
  cost(sizes: ReadonlyMap<number, number>): { params: number; flops: number };
  /** Its layers at these sizes with their input shapes (the cost counter's list: per-layer latency LUT keys). */
  layers(sizes: ReadonlyMap<number, number>): LayerInstance[];
  toLayers(net: ConetNetwork): tfl.LayersModel;
}

function nb201Cost(layout: Nb201Layout, preset: Nb201Preset, sizes: ReadonlyMap<number, number>): { params: number; flops: number } {
  const cost = countNetwork(nb201Layers(layout, preset, sizes), NB201_FLOPS_CONVENTION);
  return { params: cost.params, flops: cost.macs };
}

function nb201Layers(layout: Nb201Layout, preset: Nb201Preset, sizes: ReadonlyMap<number, number>): LayerInstance[] {
  const d = nodeDepths(layout.assignment, sizes);
  const [h, w, c] = preset.inputShape;
  const rec = new LayerRecorder({ c, h, w });
  const shapes = new Map<string, Shape>([['in', { c, h, w }]]);
  // a node reached only by non-conv edges (skip, pool, zeros) has the resolution of the current stage
  let cur: Shape = { c, h, w };
  const shapeOf = (node: string): Shape => shapes.get(node) ?? { c: d[node], h: cur.h, w: cur.w };
  for (const cv of layout.convs) {
    const from = shapeOf(cv.from);
    const stride = /^red\d\.a$/.test(cv.name) ? 2 : 1;
    const specs: LayerSpec[] = [];
    if (/^red\d\.short$/.test(cv.name)) specs.push({ kind: 'avgpool2d', kernel: 2, stride: 2 });
    specs.push({ kind: 'conv2d', inChannels: d[cv.from], outChannels: d[cv.to], kernel: cv.kernel, stride, padding: (cv.kernel - 1) >> 1, bias: false });
    if (cv.bn) specs.push({ kind: 'batchnorm2d', channels: d[cv.to] });
    const out = rec.path(cv.name, from, specs);
    shapes.set(cv.to, out);
    if (cv.name === 'stem' || /^red\d\.b$/.test(cv.name)) cur = out;
  }
  rec.path('head', shapeOf(layout.lastNode), [{ kind: 'batchnorm2d', channels: d.pool }, { kind: 'globalavgpool' }, { kind: 'flatten' }, { kind: 'linear', inFeatures: d.pool, outFeatures: preset.numClasses }]);
  return rec.layers;
}

/** The descriptor at the dataset's image shape and classes, ready for the trial runner. */
export function resolveNetwork(descriptor: ConetPresetDescriptor, inputShape: [number, number, number], numClasses: number): ResolvedNetwork {
  if (descriptor.kind === 'resnet') {
    const preset: ResNetPreset = { blocksPerStage: descriptor.blocksPerStage, stageChannels: descriptor.stageChannels, inputShape, numClasses };
    const layout = resnetLayout(preset);
    const spec = resnetSpec(preset);
    return {
      descriptor,
      spec,
      groups: tunableGroups(layout.assignment).map((g) => ({ group: g.id, nodes: g.nodes, start: layout.initialSizes.get(g.id)! })),
      cost: (sizes) => {
        const c = resnetCost(layout, preset, sizes);
        return { params: c.params, flops: c.macs };
      },
      layers: (sizes) => resnetLayers(layout, preset, sizes),
      toLayers: (net) => toLayersModel(net as ResNetNetwork),
    };
  }
  const ops = parseArchStr(descriptor.arch);
  if (ops === null) throw new UnprocessableError(`not an NB201 arch string: ${descriptor.arch}`, [violation('input.network.arch', 'isNb201Arch', 'must be an NB201 arch string')]);
  const preset: Nb201Preset = { ops, channels: descriptor.C, cellsPerStage: descriptor.N, inputShape, numClasses };
  const layout = nb201Layout(preset);
  const groups = tunableGroups(layout.assignment);
  if (groups.length === 0) {
    const convs = ops.filter((o) => opKernel(o) !== 0).length;
    throw new UnprocessableError(`arch ${descriptor.arch} has no tunable channel group (${convs} conv edges in the cell)`, [violation('input.network.arch', 'hasChannels', 'the network has nothing for CONet to size')]);
  }
  return {
    descriptor,
    spec: nb201Spec(preset),
    groups: groups.map((g) => ({ group: g.id, nodes: g.nodes, start: layout.initialSizes.get(g.id)! })),
    cost: (sizes) => nb201Cost(layout, preset, sizes),
    layers: (sizes) => nb201Layers(layout, preset, sizes),
    toLayers: (net) => nb201ToLayersModel(net as Nb201GroupNetwork),
  };
}

/** The network a resolved spec starts from other sizes (a CONet bundle's final sizes): same groups required. */
export function startingAt(n: ResolvedNetwork, sizes: Record<string, number>, field: string): ResolvedNetwork {
  const ids = n.groups.map((g) => String(g.group));
  const given = Object.keys(sizes);
  if (given.length !== ids.length || !ids.every((id) => Number.isInteger(sizes[id]) && sizes[id] >= 1)) {
    throw new UnprocessableError(`${field}: the bundle's group sizes ${JSON.stringify(sizes)} do not fit the network's groups ${ids.join(', ')}`, [
      violation(field, 'groupSizes', 'group sizes do not fit the network'),
    ]);
  }
  const initialSizes = new Map(n.groups.map((g) => [g.group, sizes[String(g.group)]]));
  return { ...n, spec: { ...n.spec, initialSizes }, groups: n.groups.map((g) => ({ ...g, start: sizes[String(g.group)] })) };
}

/** What a CONet job writes as its exported model: one JSON file. */
export interface ConetBundle {
  format: typeof CONET_BUNDLE_FORMAT;
  network: ConetPresetDescriptor;
  /** channel size of every tunable group (group id -> channels) */
  groupSizes: Record<string, number>;
  numClasses: number;
  imageShape: [number, number, number];
  /** per-channel mean and std the inputs (pixels scaled to 0..1) are normalised with before the model */
  inputNormalisation: { mean: number[]; std: number[] };
  /** the LayersModel's model.json as tf.io writes it; its weightsManifest names the file `weights.bin` */
  modelJson: Record<string, unknown>;
  /** weights.bin, base64 */
  weightsBase64: string;
  info: Record<string, unknown>;
}

/** Reads a model file given as the network: nb201-train's model (its arch, C, N) or a CONet bundle (its network at its sizes). */
export function networkFromModelFile(file: string, field: string): { descriptor: ConetPresetDescriptor; sizes: Record<string, number> | null; format: string } {
  const refuse = (why: string): never => {
    throw new UnprocessableError(`${field}: ${why}; accepted model formats: ${CONET_INPUT_FORMATS.join(', ')}`, [violation(field, 'artifactFormat', `must be a model of format ${CONET_INPUT_FORMATS.join(' or ')}`)]);
  };
  const head = Buffer.alloc(8);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 8, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head.toString('ascii') === 'NASCKPT1') {
    let meta: Record<string, unknown>;
    try {
      meta = readCheckpointFile(file).meta;
    } catch (e) {
      return refuse(`unreadable model file (${(e as Error).message})`);
    }
    if (meta.format !== NB201_MODEL_FORMAT) return refuse(`model file of format ${String(meta.format)}`);
    const { arch, C, N } = meta as { arch: unknown; C: unknown; N: unknown };
    if (typeof arch !== 'string' || parseArchStr(arch) === null || typeof C !== 'number' || typeof N !== 'number') return refuse('the nb201 model file has no arch, C, N');
    return { descriptor: { kind: 'nb201', arch, C, N }, sizes: null, format: NB201_MODEL_FORMAT };
  }
  let b: Partial<ConetBundle>;
  try {
    b = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ConetBundle>;
  } catch {
    return refuse('neither an nb201 model file nor a JSON bundle');
  }
  if (b.format !== CONET_BUNDLE_FORMAT || !b.network || !b.groupSizes) return refuse(`JSON of format ${String(b.format)}`);
  return { descriptor: b.network, sizes: b.groupSizes, format: CONET_BUNDLE_FORMAT };
}

