// The NAS-Bench-201 cell network of one architecture (Dong & Yang 2020) with every CONet channel group sized
// independently. The forward pass is the trainer's (src/trainer/nb201/forward.ts); only the weight shapes change.
//
// DAG (Alg. 1): the stem and the ReLU-Conv-BN cell edges are conv edges, skip_connect and avg_pool_3x3 are non-conv
// edges, `none` is no edge, every cell node is a summation; a reduction block is two conv edges (a, b) plus its
// avg-pool + 1x1 conv shortcut (one conv edge) summed at its output. A cell node whose inbound edges are all `none`
// is zeros of the cell input's shape in the forward pass, so it is tied to the cell input by a non-conv edge.
import * as tf from '@tensorflow/tfjs-core';
import { NB201_EDGE_SOURCE, NB201_EDGE_TARGET } from '../../../benchmarks/nb201/arch';
import { NB201_OPS } from '../../../benchmarks/nb201/types';
import { Rng } from '../../../common/rng';
import { BN_MOMENTUM, nb201Logits, opKernel } from '../../../trainer/nb201/forward';
import { fixedEdgeName } from '../../../trainer/nb201/model';
import { StoreNetwork, WeightStore } from '../../../trainer/nb201/weights';
import { ChannelAssignment, ChannelEdge, ChannelNode, assignChannels, nodeDepths, tunableGroups } from '../science/channel-graph';
import { ConetNetwork, ConetNetworkSpec } from './network-spec';

export interface Nb201Preset {
  /** op index (into NB201_OPS) of each edge e0..e5 */
  ops: readonly number[];
  /** starting width of stage 0 (stages 1, 2 start at 2x, 4x) */
  channels: number;
  cellsPerStage: number;
  inputShape: readonly [number, number, number];
  numClasses: number;
}

interface Nb201Conv {
  name: string;
  from: string;
  to: string;
  kernel: 1 | 3;
  bn: boolean;
}

export interface Nb201Layout {
  convs: Nb201Conv[];
  assignment: ChannelAssignment;
  initialSizes: Map<number, number>;
  lastNode: string;
}

export function nb201Layout(p: Nb201Preset): Nb201Layout {
  if (p.ops.length !== 6 || p.ops.some((o) => !Number.isInteger(o) || o < 0 || o >= NB201_OPS.length)) throw new RangeError('ops must be six NB201 op indices');
  const nodes: ChannelNode[] = [{ id: 'in', fixed: p.inputShape[2] }, { id: 'stem' }];
  const edges: ChannelEdge[] = [];
  const convs: Nb201Conv[] = [];
  const start = new Map<string, number>([['stem', p.channels]]);
  const conv = (name: string, from: string, to: string, kernel: 1 | 3, bn = true): void => {
    convs.push({ name, from, to, kernel, bn });
    edges.push({ id: name, from, to, kind: 'conv' });
  };
  conv('stem', 'in', 'stem', 3);
  let h = 'stem';
  for (let s = 0; s < 3; s++) {
    const width = p.channels << s;
    if (s > 0) {
      const mid = `red${s}.mid`;
      const out = `red${s}.out`;
      nodes.push({ id: mid }, { id: out });
      start.set(mid, width);
      start.set(out, width);
      conv(`red${s}.a`, h, mid, 3);
      conv(`red${s}.b`, mid, out, 3);
      conv(`red${s}.short`, h, out, 1, false);
      h = out;
    }
    for (let c = 0; c < p.cellsPerStage; c++) {
      const node = (j: number): string => (j === 0 ? h : `s${s}.c${c}.n${j}`);
      for (let j = 1; j <= 3; j++) {
        nodes.push({ id: node(j) });
        start.set(node(j), width);
      }
      for (let e = 0; e < 6; e++) {
        const op = NB201_OPS[p.ops[e]];
        const name = fixedEdgeName(s, c, e);
        const k = opKernel(p.ops[e]);
        if (k !== 0) conv(name, node(NB201_EDGE_SOURCE[e]), node(NB201_EDGE_TARGET[e]), k);
        else if (op !== 'none') edges.push({ id: name, from: node(NB201_EDGE_SOURCE[e]), to: node(NB201_EDGE_TARGET[e]), kind: 'non-conv' });
      }
      for (let j = 1; j <= 3; j++) {
        if (!edges.some((e) => e.to === node(j))) edges.push({ id: `s${s}.c${c}.zero${j}`, from: node(0), to: node(j), kind: 'non-conv' });
      }
      h = node(3);
    }
  }
  nodes.push({ id: 'pool' }, { id: 'logits', fixed: p.numClasses });
  edges.push({ id: 'lastact', from: h, to: 'pool', kind: 'non-conv' }, { id: 'classifier', from: 'pool', to: 'logits', kind: 'conv' });
  const assignment = assignChannels({ nodes, edges });
  const initialSizes = new Map<number, number>();
  for (const g of tunableGroups(assignment)) initialSizes.set(g.id, start.get(g.nodes[0]) ?? p.channels);
  return { convs, assignment, initialSizes, lastNode: h };
}

export class Nb201GroupNetwork extends StoreNetwork implements ConetNetwork {
  readonly depths: Record<string, number>;

  constructor(
    readonly layout: Nb201Layout,
    readonly preset: Nb201Preset,
    sizes: ReadonlyMap<number, number>,
    seed: number,
  ) {
    super(new WeightStore(Rng.fromSeed(seed), 'conet_nb201'));
    this.depths = nodeDepths(layout.assignment, sizes);
    for (const c of layout.convs) {
      this.store.convW(c.name, c.kernel, this.depths[c.from], this.depths[c.to]);
      if (c.bn) this.store.bn(`${c.name}.bn`, this.depths[c.to]);
    }
    this.store.bn('lastact.bn', this.depths.pool);
    this.store.linear('classifier', this.depths.pool, preset.numClasses);
  }

  get numClasses(): number {
    return this.preset.numClasses;
  }

  kernel(name: string): tf.Variable {
    return this.store.get(`${name}.w`);
  }

  forward(x: tf.Tensor4D, training: boolean, updateStats = training, bnMomentum = BN_MOMENTUM): tf.Tensor2D {
    return nb201Logits(x, this.preset.ops, this.preset.cellsPerStage, (n) => this.store.get(n), (s, c, e) => fixedEdgeName(s, c, e), {
      training,
      updateStats,
      momentum: bnMomentum,
    });
  }
}

/** Trainable parameters at these group sizes (conv k²·cin·cout, BN 2·cout, lastact BN, classifier). */
export function nb201ParamCount(layout: Nb201Layout, preset: Nb201Preset, sizes: ReadonlyMap<number, number>): number {
  const d = nodeDepths(layout.assignment, sizes);
  let n = 2 * d.pool + d.pool * preset.numClasses + preset.numClasses;
  for (const c of layout.convs) n += c.kernel * c.kernel * d[c.from] * d[c.to] + (c.bn ? 2 * d[c.to] : 0);
  return n;
}

export function nb201Spec(preset: Nb201Preset): ConetNetworkSpec {
  const layout = nb201Layout(preset);
  return {
    assignment: layout.assignment,
    initialSizes: layout.initialSizes,
    measured: layout.convs.map((c) => ({ name: c.name, group: layout.assignment.edgeOutput[c.name] })),
    build: (sizes, seed) => new Nb201GroupNetwork(layout, preset, sizes, seed),
    paramCount: (sizes) => nb201ParamCount(layout, preset, sizes),
  };
}
