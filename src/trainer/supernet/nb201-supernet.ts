/**
 * Weight-sharing supernet over the NAS-Bench-201 cell space: every edge of every cell holds the weights of both
 * parametrised candidates (nor_conv_1x1, nor_conv_3x3, each ReLU-Conv-BN); none / skip / avg-pool have none. A
 * path is one op per edge e0..e5, shared by all cells (the NB201 cell is repeated), as in SPOS (Guo et al. 2020).
 *
 * Independent weight copies (SE-NAS expanding, Hu et al. 2021): `expand(groups, space)` gives every partial model
 * of a group of adjacent edges (one op per edge of the group) its own copy of those edges' weights, initialised
 * from the mean of the variants of that (cell, edge, op) that paths of the new space used until then (the shared
 * weights before any expansion). A path uses the copy of its partial model, or the shared weights when the
 * partial model has no copy (an arch outside the expanded space).
 */
import * as tf from '@tensorflow/tfjs-core';
import { NB201_NUM_EDGES, NB201_OPS } from '../../benchmarks/nb201/types';
import { Rng } from '../../common/rng';
import { OpSpace, partialModels } from '../../search/spaces/op-space';
import type { NamedVariable } from '../engine/network';
import { BN_MOMENTUM, nb201Logits, opKernel } from '../nb201/forward';
import { Nb201Network, fixedEdgeName } from '../nb201/model';
import { StoreNetwork, WeightStore, createNb201Weights } from '../nb201/weights';

export interface Nb201SupernetConfig {
  /** Channels of the first stage (NB201: 16). */
  channels: number;
  /** Cells per stage (NB201: 5). */
  cellsPerStage: number;
  inputShape: [number, number, number];
  numClasses: number;
  seed: number;
}

const BN_SUFFIXES = ['gamma', 'beta'] as const;
const PARAM_OPS = NB201_OPS.map((_, i) => i).filter((o) => opKernel(o) > 0);
/** Weights that every path uses (stem, reductions, lastact, classifier) are those not under a cell edge. */
const isEdgeWeight = (name: string): boolean => /^s\d+\.c\d+\.e\d/.test(name);

export class Nb201Supernet extends StoreNetwork {
  readonly config: Nb201SupernetConfig;
  private readonly shared: NamedVariable[];
  private path: number[] = [1, 1, 1, 1, 1, 1];
  /** Edge groups with independent weights per partial model (only groups of >= 2 edges matter). */
  private groups: number[][] = [];

  constructor(config: Nb201SupernetConfig) {
    super(new WeightStore(Rng.fromSeed(config.seed), 'nb201_supernet'));
    this.config = config;
    createNb201Weights(this.store, { ...config, inputChannels: config.inputShape[2] }, (stage, cell, c) => {
      for (let e = 0; e < NB201_NUM_EDGES; e++) {
        for (const op of PARAM_OPS) {
          this.store.convW(edgeKey(stage, cell, e, op, ''), opKernel(op), c, c);
          this.store.bn(`${edgeKey(stage, cell, e, op, '')}.bn`, c);
        }
      }
    });
    this.shared = this.store.params.filter((p) => !isEdgeWeight(p.name));
  }

  get numClasses(): number {
    return this.config.numClasses;
  }

  /** Selects the path (one op index per edge) used by forward() and activeParams(). */
  set(ops: readonly number[]): void {
    checkOps(ops);
    this.path = ops.slice();
  }

  current(): readonly number[] {
    return this.path;
  }

  /** A uniformly random path of `space` (SPOS uniform single-path sampling), selected and returned. */
  sample(rng: Rng, space: OpSpace): readonly number[] {
    this.set(space.map((allowed) => allowed[rng.int(allowed.length)]));
    return this.path;
  }

  /** The groups of edges that have independent weights per partial model. */
  weightGroups(): readonly (readonly number[])[] {
    return this.groups;
  }

  /** Variant suffix of edge `e` under path `ops`: its group's partial model when that has a copy, else shared. */
  private variant(stage: number, cell: number, e: number, ops: readonly number[]): string {
    const g = this.groups.find((gr) => gr.length > 1 && gr.includes(e));
    if (!g) return '';
    const suffix = variantSuffix(g, ops);
    return this.store.has(`${edgeKey(stage, cell, e, ops[e], suffix)}.w`) ? suffix : '';
  }

  private edgeName(stage: number, cell: number, e: number, ops: readonly number[]): string {
    return edgeKey(stage, cell, e, ops[e], this.variant(stage, cell, e, ops));
  }

  override activeParams(): readonly NamedVariable[] {
    const out = this.shared.slice();
    const { cellsPerStage } = this.config;
    for (let s = 0; s < 3; s++) {
      for (let c = 0; c < cellsPerStage; c++) {
        for (let e = 0; e < NB201_NUM_EDGES; e++) {
          if (opKernel(this.path[e]) === 0) continue;
          const base = this.edgeName(s, c, e, this.path);
          out.push(named(this.store, `${base}.w`));
          for (const b of BN_SUFFIXES) out.push(named(this.store, `${base}.bn.${b}`));
        }
      }
    }
    return out;
  }

  forward(x: tf.Tensor4D, training: boolean, updateStats = training, bnMomentum = BN_MOMENTUM): tf.Tensor2D {
    const ops = this.path;
    return nb201Logits(x, ops, this.config.cellsPerStage, (n) => this.store.get(n), (s, c, e) => this.edgeName(s, c, e, ops), {
      training,
      updateStats,
      momentum: bnMomentum,
    });
  }

  /**
   * SE-NAS expanding: every partial model of every group of >= 2 adjacent edges in `groups` gets its own copy of its
   * edges' conv/BN weights and BN statistics (existing copies are kept). Returns the number of variables created.
   */
  expand(groups: readonly (readonly number[])[], space: OpSpace): number {
    const before = this.store.params.length + this.store.buffers.length;
    for (const g of groups) {
      if (g.length < 2) continue;
      for (const partial of partialModels(g, space)) {
        const ops = new Array<number>(NB201_NUM_EDGES).fill(0);
        g.forEach((e, i) => (ops[e] = partial[i]));
        const suffix = variantSuffix(g, ops);
        for (let s = 0; s < 3; s++) for (let c = 0; c < this.config.cellsPerStage; c++) for (const e of g) this.copyEdge(s, c, e, ops[e], suffix, space);
      }
    }
    this.groups = groups.map((g) => g.slice());
    return this.store.params.length + this.store.buffers.length - before;
  }

  /** New variables `<edge op>@suffix.*` holding the mean of the live variants of that (cell, edge, op). */
  private copyEdge(stage: number, cell: number, e: number, op: number, suffix: string, space: OpSpace): void {
    if (opKernel(op) === 0) return;
    const target = edgeKey(stage, cell, e, op, suffix);
    if (this.store.has(`${target}.w`)) return;
    const variants = this.liveVariants(stage, cell, e, op, space);
    for (const tail of ['w', 'bn.gamma', 'bn.beta', 'bn.runMean', 'bn.runVar']) {
      const like = this.store.get(`${edgeKey(stage, cell, e, op, '')}.${tail}`);
      const mean = tf.tidy(() => tf.div(tf.addN(variants.map((v) => this.store.get(`${v}.${tail}`) as tf.Tensor)), variants.length));
      if (tail.startsWith('bn.run')) this.store.copyBuffer(`${target}.${tail}`, mean);
      else this.store.copyParam(`${target}.${tail}`, like, mean);
    }
  }

  /** Weight prefixes that the paths of `space` using `op` on edge `e` select under the current groups. */
  private liveVariants(stage: number, cell: number, e: number, op: number, space: OpSpace): string[] {
    const g = this.groups.find((gr) => gr.length > 1 && gr.includes(e)) ?? [e];
    const names = new Set<string>();
    const ops = new Array<number>(NB201_NUM_EDGES).fill(0);
    for (const partial of partialModels(g, space.map((allowed, i) => (i === e ? [op] : allowed)))) {
      g.forEach((edge, i) => (ops[edge] = partial[i]));
      names.add(this.edgeName(stage, cell, e, ops));
    }
    return [...names];
  }

  /**
   * A standalone Nb201Network for `ops` holding the weights this supernet uses for that path (inherited weights,
   * BN running statistics included): its eval-mode forward equals the supernet's with `ops` selected.
   */
  extract(ops: readonly number[]): Nb201Network {
    checkOps(ops);
    const { channels, cellsPerStage, inputShape, numClasses, seed } = this.config;
    const net = new Nb201Network({ ops, channels, cellsPerStage, inputShape, numClasses, seed });
    for (const p of [...net.params, ...net.buffers]) {
      const m = /^s(\d+)\.c(\d+)\.e(\d)(\..*)$/.exec(p.name);
      const source = m ? `${this.edgeName(+m[1], +m[2], +m[3], ops)}${m[4]}` : p.name;
      p.variable.assign(this.store.get(source));
    }
    return net;
  }
}

/** Weight-name prefix of op `op` on edge `e` of a cell; `suffix` names an independent copy ('' = shared). */
function edgeKey(stage: number, cell: number, e: number, op: number, suffix: string): string {
  return `${fixedEdgeName(stage, cell, e)}.o${op}${suffix}`;
}

/** `@g<edges>:<ops of those edges>`, e.g. `@g01:32` for edges e0,e1 with ops 3,2. */
function variantSuffix(group: readonly number[], ops: readonly number[]): string {
  return `@g${group.join('')}:${group.map((e) => ops[e]).join('')}`;
}

function named(store: WeightStore, name: string): NamedVariable {
  return { name, variable: store.get(name) };
}

function checkOps(ops: readonly number[]): void {
  if (ops.length !== NB201_NUM_EDGES || ops.some((o) => !Number.isInteger(o) || o < 0 || o >= NB201_OPS.length)) {
    throw new RangeError(`a path is ${NB201_NUM_EDGES} NB201 op indices 0..${NB201_OPS.length - 1}, got [${ops.join(',')}]`);
  }
}
