import { LayerInstance, LayerRecorder, LayerSpec, NB201_FLOPS_CONVENTION, Shape, countNetwork } from '../../search/spaces/cost';
import { NB201_EDGE_SOURCE, NB201_EDGE_TARGET } from './arch';
import { NB201_OPS, Nb201Dataset, Nb201Ops } from './types';

/** Input resolution and classes of each NB201 dataset (cifar10-valid is CIFAR-10 with a train/valid split). */
export const NB201_DATASET_SPECS: Readonly<Record<Nb201Dataset, { inputSize: number; numClasses: number }>> = {
  cifar10: { inputSize: 32, numClasses: 10 },
  'cifar10-valid': { inputSize: 32, numClasses: 10 },
  cifar100: { inputSize: 32, numClasses: 100 },
  'ImageNet16-120': { inputSize: 16, numClasses: 120 },
};

/** NB201 macro skeleton: C=16 channels, N=5 cells per stage (Dong & Yang 2020, Fig. 1). */
export interface Nb201Macro {
  channels: number;
  cellsPerStage: number;
}
export const NB201_MACRO: Nb201Macro = { channels: 16, cellsPerStage: 5 };

const conv = (cin: number, cout: number, k: number, stride = 1, padding = 0): LayerSpec => ({
  kind: 'conv2d',
  inChannels: cin,
  outChannels: cout,
  kernel: k,
  stride,
  padding,
  bias: false,
});
const bn = (c: number): LayerSpec => ({ kind: 'batchnorm2d', channels: c, affine: true });
/** ReLU-Conv-BN, the NB201 `nor_conv_kxk` op and the ResNet block's convs. */
const reluConvBn = (cin: number, cout: number, k: number, stride: number): LayerSpec[] => [
  { kind: 'relu' },
  conv(cin, cout, k, stride, (k - 1) >> 1),
  bn(cout),
];

/** Layers of one cell-edge op on channels C (all cell ops keep the shape). */
export function nb201EdgeOp(op: number, c: number): LayerSpec[] {
  switch (NB201_OPS[op]) {
    case 'none':
      return [{ kind: 'zero' }];
    case 'skip_connect':
      return [{ kind: 'identity' }];
    case 'nor_conv_1x1':
      return reluConvBn(c, c, 1, 1);
    case 'nor_conv_3x3':
      return reluConvBn(c, c, 3, 1);
    case 'avg_pool_3x3':
      return [{ kind: 'avgpool2d', kernel: 3, stride: 1, padding: 1 }];
    default:
      throw new RangeError(`unknown NB201 op index ${op}`);
  }
}

/**
 * Every layer of the NB201 TinyNetwork for `ops` on `dataset`, in forward order: stem (conv3x3 + BN), three stages
 * of N cells (C, 2C, 4C) with ResNet reduction blocks between them (ReLU-Conv3x3/2-BN, ReLU-Conv3x3-BN, shortcut
 * AvgPool2x2 + Conv1x1, sum), lastact BN + ReLU, global average pooling and the linear classifier.
 */
export function nb201NetworkLayers(ops: Nb201Ops, dataset: Nb201Dataset, macro: Nb201Macro = NB201_MACRO): LayerInstance[] {
  const ds = NB201_DATASET_SPECS[dataset];
  if (!ds) throw new RangeError(`unknown NB201 dataset ${dataset}`);
  const net = new LayerRecorder({ c: 3, h: ds.inputSize, w: ds.inputSize });
  let c = macro.channels;
  net.seq('stem', [conv(3, c, 3, 1, 1), bn(c)]);
  for (let stage = 0; stage < 3; stage++) {
    if (stage > 0) {
      const cin = c;
      c *= 2;
      const x = net.shape;
      const main = net.path(`reduction${stage}.basic`, x, [...reluConvBn(cin, c, 3, 2), ...reluConvBn(c, c, 3, 1)]);
      net.path(`reduction${stage}.shortcut`, x, [{ kind: 'avgpool2d', kernel: 2, stride: 2 }, conv(cin, c, 1)]);
      net.shape = main;
      net.seq(`reduction${stage}.sum`, [{ kind: 'add', inputs: 2 }]);
    }
    for (let cell = 0; cell < macro.cellsPerStage; cell++) addCell(net, ops, c, `stage${stage}.cell${cell}`);
  }
  net.seq('lastact', [bn(c), { kind: 'relu' }]);
  net.seq('global_pooling', [{ kind: 'globalavgpool' }, { kind: 'flatten' }]);
  net.seq('classifier', [{ kind: 'linear', inFeatures: c, outFeatures: ds.numClasses, bias: true }]);
  return net.layers;
}

function addCell(net: LayerRecorder, ops: Nb201Ops, c: number, name: string): void {
  const x: Shape = net.shape;
  for (let e = 0; e < ops.length; e++) net.path(`${name}.e${e}(${NB201_EDGE_SOURCE[e]}->${NB201_EDGE_TARGET[e]})`, x, nb201EdgeOp(ops[e], c));
  for (let node = 1; node <= 3; node++) net.path(`${name}.node${node}`, x, [{ kind: 'add', inputs: node }]);
}

export interface Nb201Cost {
  /** Millions of parameters. */
  paramsM: number;
  /** MFLOPs = millions of multiply-adds (official NB201 convention). */
  flopsM: number;
}

/** Params and FLOPs of an NB201 network, counted layer by layer under the official convention. */
export function nb201Cost(ops: Nb201Ops, dataset: Nb201Dataset, macro: Nb201Macro = NB201_MACRO): Nb201Cost {
  const cost = countNetwork(nb201NetworkLayers(ops, dataset, macro), NB201_FLOPS_CONVENTION);
  return { paramsM: cost.params / 1e6, flopsM: cost.macs / 1e6 };
}
