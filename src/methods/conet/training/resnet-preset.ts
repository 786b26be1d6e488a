// A plain ResNet for 32x32 images (He et al. 2016, CIFAR variant: conv3x3 stem, three stages of BasicBlocks, the
// first block of stages 2 and 3 with stride 2 and a 1x1 projection shortcut, identity shortcuts elsewhere, global
// average pool, linear classifier), with every CONet channel group sized independently.
//
// The channel groups are not hard-coded: the preset is described as a CONet DAG (conv edge = conv + BN (+ ReLU),
// identity shortcut = non-conv edge, block output = summation node) and Alg. 1 (assignChannels) finds them. For this
// preset they are, per stage, the residual stream (stem or projection output and every block output tied by
// identity shortcuts) and, per block, the inner width of the block.
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../../common/rng';
import { BN_EPS, BN_MOMENTUM } from '../../../trainer/nb201/forward';
import { LayerInstance, LayerRecorder, LayerSpec, NB201_FLOPS_CONVENTION, NetworkCost, Shape, countNetwork } from '../../../search/spaces/cost';
import { StoreNetwork, WeightStore } from '../../../trainer/nb201/weights';
import { ConetNetwork, ConetNetworkSpec } from './network-spec';
import { ChannelAssignment, ChannelEdge, ChannelGraph, ChannelNode, assignChannels, nodeDepths, tunableGroups } from '../science/channel-graph';

export interface ResNetPreset {
  /** BasicBlocks per stage (three stages), e.g. [1, 1, 1] (ResNet-8) or [3, 3, 3] (ResNet-20) */
  blocksPerStage: readonly [number, number, number];
  /** starting width of each stage (every group of a stage starts here) */
  stageChannels: readonly [number, number, number];
  inputShape: readonly [number, number, number];
  numClasses: number;
}

/** One conv layer of the preset (a conv edge of the DAG). */
export interface ConvLayer {
  /** weight name prefix and edge id */
  name: string;
  from: string;
  to: string;
  kernel: 1 | 3;
  stride: 1 | 2;
}

export interface ResNetLayout {
  graph: ChannelGraph;
  convs: ConvLayer[];
  assignment: ChannelAssignment;
  /** starting size of every tunable group */
  initialSizes: Map<number, number>;
}

/** The DAG of the preset and its channel groups (Alg. 1). */
export function resnetLayout(p: ResNetPreset): ResNetLayout {
  const nodes: ChannelNode[] = [{ id: 'in', fixed: p.inputShape[2] }];
  const edges: ChannelEdge[] = [];
  const convs: ConvLayer[] = [];
  const start = new Map<string, number>();
  const conv = (name: string, from: string, to: string, kernel: 1 | 3, stride: 1 | 2): void => {
    convs.push({ name, from, to, kernel, stride });
    edges.push({ id: name, from, to, kind: 'conv' });
  };
  nodes.push({ id: 'stem' });
  start.set('stem', p.stageChannels[0]);
  conv('stem', 'in', 'stem', 3, 1);
  let x = 'stem';
  for (let s = 0; s < 3; s++) {
    for (let b = 0; b < p.blocksPerStage[s]; b++) {
      const stride: 1 | 2 = s > 0 && b === 0 ? 2 : 1;
      const mid = `s${s}.b${b}.mid`;
      const out = `s${s}.b${b}.out`;
      nodes.push({ id: mid }, { id: out });
      start.set(mid, p.stageChannels[s]);
      start.set(out, p.stageChannels[s]);
      conv(`s${s}.b${b}.conv1`, x, mid, 3, stride);
      conv(`s${s}.b${b}.conv2`, mid, out, 3, 1);
      if (stride === 2) conv(`s${s}.b${b}.proj`, x, out, 1, 2);
      else edges.push({ id: `s${s}.b${b}.id`, from: x, to: out, kind: 'non-conv' });
      x = out;
    }
  }
  nodes.push({ id: 'pool' }, { id: 'logits', fixed: p.numClasses });
  edges.push({ id: 'pool', from: x, to: 'pool', kind: 'non-conv' }, { id: 'classifier', from: 'pool', to: 'logits', kind: 'conv' });
  const graph = { nodes, edges };
  const assignment = assignChannels(graph);
  const initialSizes = new Map<number, number>();
  for (const g of tunableGroups(assignment)) initialSizes.set(g.id, start.get(g.nodes[0]) ?? p.stageChannels[0]);
  return { graph, convs, assignment, initialSizes };
}

/** The conv layers CONet measures, with their output channel group (the classifier is not a conv kernel). */
export function measuredLayers(layout: ResNetLayout): { name: string; group: number }[] {
  return layout.convs.map((c) => ({ name: c.name, group: layout.assignment.edgeOutput[c.name] }));
}

/** Trainable parameters at these group sizes: conv k²·cin·cout + BN 2·cout per conv layer, classifier c·K + K. */
export function resnetParamCount(layout: ResNetLayout, preset: ResNetPreset, sizes: ReadonlyMap<number, number>): number {
  const d = nodeDepths(layout.assignment, sizes);
  let n = d.pool * preset.numClasses + preset.numClasses;
  for (const c of layout.convs) n += c.kernel * c.kernel * d[c.from] * d[c.to] + 2 * d[c.to];
  return n;
}

/**
 * Params and multiply-adds of the preset at these group sizes (src/search/cost; FLOPs convention: conv and linear
 * multiply-adds, as NB201 counts them).
 */
export function resnetCost(layout: ResNetLayout, preset: ResNetPreset, sizes: ReadonlyMap<number, number>): NetworkCost {
  return countNetwork(resnetLayers(layout, preset, sizes), NB201_FLOPS_CONVENTION);
}

/** The layers (conv + BN per conv, pool + linear head) at these group sizes, each with its input shape (cost and latency LUT keys). */
export function resnetLayers(layout: ResNetLayout, preset: ResNetPreset, sizes: ReadonlyMap<number, number>): LayerInstance[] {
  const d = nodeDepths(layout.assignment, sizes);
  const [h, w, c] = preset.inputShape;
  const rec = new LayerRecorder({ c, h, w });
  const shapes = new Map<string, Shape>([['in', { c, h, w }]]);
  for (const cv of layout.convs) {
    const from = shapes.get(cv.from);
    if (!from) throw new Error(`conv ${cv.name} reads ${cv.from} before it is computed`);
    const specs: LayerSpec[] = [
      { kind: 'conv2d', inChannels: d[cv.from], outChannels: d[cv.to], kernel: cv.kernel, stride: cv.stride, padding: (cv.kernel - 1) >> 1, bias: false },
      { kind: 'batchnorm2d', channels: d[cv.to] },
    ];
    shapes.set(cv.to, rec.path(cv.name, from, specs));
  }
  const last = shapes.get(layout.convs[layout.convs.length - 1].to)!;
  rec.path('head', last, [{ kind: 'globalavgpool' }, { kind: 'flatten' }, { kind: 'linear', inFeatures: d.pool, outFeatures: preset.numClasses }]);
  return rec.layers;
}

/** The preset as the trial runner sees it. */
export function resnetSpec(preset: ResNetPreset): ConetNetworkSpec {
  const layout = resnetLayout(preset);
  return {
    assignment: layout.assignment,
    initialSizes: layout.initialSizes,
    measured: measuredLayers(layout),
    build: (sizes, seed) => new ResNetNetwork(layout, preset, sizes, seed),
    paramCount: (sizes) => resnetParamCount(layout, preset, sizes),
  };
}

/** The preset at given group sizes: conv + BN weights per conv layer, PyTorch default init from a seeded Rng. */
export class ResNetNetwork extends StoreNetwork implements ConetNetwork {
  readonly depths: Record<string, number>;

  constructor(
    readonly layout: ResNetLayout,
    readonly preset: ResNetPreset,
    sizes: ReadonlyMap<number, number>,
    seed: number,
  ) {
    super(new WeightStore(Rng.fromSeed(seed), 'conet_resnet'));
    this.depths = nodeDepths(layout.assignment, sizes);
    for (const c of layout.convs) {
      this.store.convW(c.name, c.kernel, this.depths[c.from], this.depths[c.to]);
      this.store.bn(`${c.name}.bn`, this.depths[c.to]);
    }
    this.store.linear('classifier', this.depths.pool, preset.numClasses);
  }

  get numClasses(): number {
    return this.preset.numClasses;
  }

  /** The conv kernel [k, k, cin, cout] of a layer. */
  kernel(name: string): tf.Variable {
    return this.store.get(`${name}.w`);
  }

  forward(x: tf.Tensor4D, training: boolean, updateStats = training, bnMomentum = BN_MOMENTUM): tf.Tensor2D {
    const v = (n: string): tf.Variable => this.store.get(n);
    const pending: Array<{ name: string; mean: tf.Tensor; variance: tf.Tensor; n: number }> = [];
    const convBn = (h: tf.Tensor4D, name: string, stride: 1 | 2): tf.Tensor4D => {
      const w = v(`${name}.w`) as tf.Tensor4D;
      const p = (w.shape[0] - 1) >> 1;
      const y = tf.conv2d(h, w, stride, [[0, 0], [p, p], [p, p], [0, 0]]);
      const gamma = v(`${name}.bn.gamma`) as tf.Tensor1D;
      const beta = v(`${name}.bn.beta`) as tf.Tensor1D;
      if (!training) return tf.batchNorm4d(y, v(`${name}.bn.runMean`) as tf.Tensor1D, v(`${name}.bn.runVar`) as tf.Tensor1D, beta, gamma, BN_EPS);
      const { mean, variance } = tf.moments(y, [0, 1, 2]);
      if (updateStats) pending.push({ name: `${name}.bn`, mean, variance, n: y.shape[0] * y.shape[1] * y.shape[2] });
      return tf.batchNorm4d(y, mean as tf.Tensor1D, variance as tf.Tensor1D, beta, gamma, BN_EPS);
    };
    let h = tf.relu(convBn(x, 'stem', 1));
    for (let s = 0; s < 3; s++) {
      for (let b = 0; b < this.preset.blocksPerStage[s]; b++) {
        const stride: 1 | 2 = s > 0 && b === 0 ? 2 : 1;
        const mid = tf.relu(convBn(h, `s${s}.b${b}.conv1`, stride));
        const main = convBn(mid, `s${s}.b${b}.conv2`, 1);
        const short = stride === 2 ? convBn(h, `s${s}.b${b}.proj`, 2) : h;
        h = tf.relu(tf.add(main, short)) as tf.Tensor4D;
      }
    }
    const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D;
    const logits = tf.add(tf.matMul(pooled, v('classifier.w') as tf.Tensor2D), v('classifier.b')) as tf.Tensor2D;
    for (const p of pending) {
      const unbiased = p.n > 1 ? p.n / (p.n - 1) : 1;
      const rm = v(`${p.name}.runMean`);
      const rv = v(`${p.name}.runVar`);
      tf.tidy(() => {
        rm.assign(tf.add(tf.mul(rm, 1 - bnMomentum), tf.mul(p.mean, bnMomentum)));
        rv.assign(tf.add(tf.mul(rv, 1 - bnMomentum), tf.mul(p.variance, bnMomentum * unbiased)));
      });
    }
    return logits;
  }
}
