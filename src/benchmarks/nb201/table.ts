import { NB201_SIZE, formatArchStr, opsKey } from './arch';
import { nb201Cost } from './network';
import { NB201_DATASETS, NB201_NUM_EDGES, Nb201Dataset, Nb201Epochs, Nb201Ops, Nb201Split, Nb201Table } from './types';

/** Datasets with per-seed 200-epoch validation accuracies (cifar10 is trained on train+valid: no valid split). */
export const NB201_SEED_DATASETS = ['cifar10-valid', 'cifar100', 'ImageNet16-120'] as const;
export type Nb201SeedDataset = (typeof NB201_SEED_DATASETS)[number];
export const NB201_MAX_SEEDS = 3;

/** One accuracy metric present in the tables. */
export interface Nb201AccuracyMetric {
  dataset: Nb201Dataset;
  split: Nb201Split;
  epochs: Nb201Epochs;
}

type AccuracyColumns = Record<Nb201Dataset, Record<Nb201Split, Partial<Record<Nb201Epochs, Float64Array>>>>;

/** Raw columns the loader hands to the table (all index-aligned, length = size). */
export interface Nb201Columns {
  archStrs: string[];
  /** size x 6 op indices. */
  ops: Uint8Array;
  isoKeys: string[];
  accuracy: Array<Nb201AccuracyMetric & { values: Float64Array }>;
  /** Per dataset: size x 3 per-run valid accuracies (NaN when the run is missing) and the number of runs. */
  seeds: Record<Nb201SeedDataset, { values: Float64Array; count: Uint8Array }>;
  latency: Array<{ device: string; values: Float64Array }>;
}

/** Cost columns depend on the input size and class count only: cifar10 and cifar10-valid share one. */
const COST_GROUP: Record<Nb201Dataset, Nb201Dataset> = {
  cifar10: 'cifar10',
  'cifar10-valid': 'cifar10',
  cifar100: 'cifar100',
  'ImageNet16-120': 'ImageNet16-120',
};

/** In-memory NAS-Bench-201: typed-array columns, O(1) look-ups by index, arch string, op code or iso class. */
export class Nb201Data implements Nb201Table {
  readonly size: number;
  readonly devices: readonly string[];
  readonly accuracyMetrics: readonly Nb201AccuracyMetric[];
  /** Number of isomorphism classes (archs in one class compute the same function). */
  readonly isoClassCount: number;

  private readonly archStrs: string[];
  private readonly opsFlat: Uint8Array;
  private readonly opsCache: ReadonlyArray<readonly number[]>;
  private readonly byArchStr: Map<string, number>;
  /** Dense op key (base 5) -> index. */
  private readonly byOpsKey: Int32Array;
  private readonly isoClassOf: Int32Array;
  private readonly isoClassKeys: string[];
  private readonly isoClassMembers: number[][];
  private readonly acc: AccuracyColumns;
  private readonly seeds: Nb201Columns['seeds'];
  private readonly latencyCols: Map<string, Float64Array>;
  private readonly flopsCols: Record<Nb201Dataset, Float64Array>;
  private readonly paramsCols: Record<Nb201Dataset, Float64Array>;

  constructor(cols: Nb201Columns) {
    const n = cols.archStrs.length;
    this.size = n;
    this.archStrs = cols.archStrs;
    this.opsFlat = cols.ops;
    const opsList: (readonly number[])[] = new Array(n);
    this.byOpsKey = new Int32Array(NB201_SIZE).fill(-1);
    this.byArchStr = new Map();
    for (let i = 0; i < n; i++) {
      const ops = Object.freeze(Array.from(cols.ops.subarray(i * NB201_NUM_EDGES, (i + 1) * NB201_NUM_EDGES)));
      opsList[i] = ops;
      const key = opsKey(ops);
      if (key < 0 || this.byOpsKey[key] >= 0) throw new Error(`NB201 table: invalid or duplicate ops at index ${i}`);
      this.byOpsKey[key] = i;
      if (formatArchStr(ops) !== cols.archStrs[i]) throw new Error(`NB201 table: arch string of index ${i} does not match its ops`);
      this.byArchStr.set(cols.archStrs[i], i);
    }
    this.opsCache = opsList;

    this.isoClassOf = new Int32Array(n);
    this.isoClassKeys = [];
    this.isoClassMembers = [];
    const isoIds = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      let id = isoIds.get(cols.isoKeys[i]);
      if (id === undefined) {
        id = this.isoClassKeys.length;
        isoIds.set(cols.isoKeys[i], id);
        this.isoClassKeys.push(cols.isoKeys[i]);
        this.isoClassMembers.push([]);
      }
      this.isoClassOf[i] = id;
      this.isoClassMembers[id].push(i);
    }
    this.isoClassCount = this.isoClassKeys.length;

    const acc = {} as AccuracyColumns;
    for (const d of NB201_DATASETS) acc[d] = { test: {}, valid: {} };
    for (const m of cols.accuracy) acc[m.dataset][m.split][m.epochs] = m.values;
    this.acc = acc;
    this.accuracyMetrics = cols.accuracy.map(({ dataset, split, epochs }) => ({ dataset, split, epochs }));
    this.seeds = cols.seeds;
    this.latencyCols = new Map(cols.latency.map((l) => [l.device, l.values]));
    this.devices = cols.latency.map((l) => l.device);

    const flops = {} as Record<Nb201Dataset, Float64Array>;
    const params = {} as Record<Nb201Dataset, Float64Array>;
    for (const d of NB201_DATASETS) {
      const g = COST_GROUP[d];
      if (g !== d) {
        flops[d] = flops[g];
        params[d] = params[g];
        continue;
      }
      [flops[d], params[d]] = costColumns(opsList, d);
    }
    this.flopsCols = flops;
    this.paramsCols = params;
  }

  archStr(index: number): string {
    this.check(index);
    return this.archStrs[index];
  }

  ops(index: number): Nb201Ops {
    this.check(index);
    return this.opsCache[index];
  }

  indexOfOps(ops: Nb201Ops): number {
    const key = opsKey(ops);
    return key < 0 ? -1 : this.byOpsKey[key];
  }

  /** Index of an official arch string, or -1. */
  indexOfArchStr(archStr: string): number {
    return this.byArchStr.get(archStr) ?? -1;
  }

  /** Six-digit op code (`none=0, skip_connect=1, nor_conv_1x1=2, nor_conv_3x3=3, avg_pool_3x3=4`). */
  opCode(index: number): string {
    this.check(index);
    return this.opsCache[index].join('');
  }

  /** Index of a six-digit op code, or -1. */
  indexOfOpCode(code: string): number {
    if (!/^[0-4]{6}$/.test(code)) return -1;
    return this.byOpsKey[parseInt(code, 5)];
  }

  /** Isomorphism class id (0..isoClassCount-1) of an arch. */
  isoClass(index: number): number {
    this.check(index);
    return this.isoClassOf[index];
  }

  /** NATS `get_unique_str` key of an isomorphism class. */
  isoClassKey(classId: number): string {
    const k = this.isoClassKeys[classId];
    if (k === undefined) throw new RangeError(`iso class ${classId} out of range 0..${this.isoClassCount - 1}`);
    return k;
  }

  /** Indices of all archs in an isomorphism class (ascending). */
  isoClassMembersOf(classId: number): readonly number[] {
    const m = this.isoClassMembers[classId];
    if (m === undefined) throw new RangeError(`iso class ${classId} out of range 0..${this.isoClassCount - 1}`);
    return m;
  }

  accuracy(index: number, dataset: Nb201Dataset, split: Nb201Split, epochs: Nb201Epochs): number {
    const col = this.acc[dataset]?.[split]?.[epochs];
    return col === undefined ? NaN : col[index] ?? NaN;
  }

  /** Whole accuracy column (do not mutate), or undefined when the tables lack that metric. */
  accuracyColumn(dataset: Nb201Dataset, split: Nb201Split, epochs: Nb201Epochs): Float64Array | undefined {
    return this.acc[dataset]?.[split]?.[epochs];
  }

  hasAccuracy(dataset: Nb201Dataset, split: Nb201Split, epochs: Nb201Epochs): boolean {
    return this.accuracyColumn(dataset, split, epochs) !== undefined;
  }

  /** Per-run 200-epoch valid accuracies (seeds 777, 888, 999 order; 2 or 3 runs); [] for cifar10 (no valid split). */
  seedValidAccuracies(index: number, dataset: Nb201Dataset): number[] {
    this.check(index);
    const s = this.seeds[dataset as Nb201SeedDataset];
    if (!s) return [];
    const out: number[] = [];
    for (let r = 0; r < s.count[index]; r++) out.push(s.values[index * NB201_MAX_SEEDS + r]);
    return out;
  }

  flops(index: number, dataset: Nb201Dataset): number {
    const col = this.flopsCols[dataset];
    return col === undefined ? NaN : col[index] ?? NaN;
  }

  params(index: number, dataset: Nb201Dataset): number {
    const col = this.paramsCols[dataset];
    return col === undefined ? NaN : col[index] ?? NaN;
  }

  flopsColumn(dataset: Nb201Dataset): Float64Array | undefined {
    return this.flopsCols[dataset];
  }

  paramsColumn(dataset: Nb201Dataset): Float64Array | undefined {
    return this.paramsCols[dataset];
  }

  latency(index: number, device: string): number {
    const col = this.latencyCols.get(device);
    return col === undefined ? NaN : col[index] ?? NaN;
  }

  latencyColumn(device: string): Float64Array | undefined {
    return this.latencyCols.get(device);
  }

  hasDevice(device: string): boolean {
    return this.latencyCols.has(device);
  }

  private check(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new RangeError(`NB201 index ${index} out of range 0..${this.size - 1}`);
    }
  }
}

/**
 * FLOPs and params columns from the layer-by-layer counter. The layer multiset of an NB201 network is the same for
 * every permutation of the edge ops (all edges of a cell act on the same C x H x W tensor), so the network is counted
 * once per op multiset and the result shared; the unit test counts all 15,625 archs without this memo.
 */
function costColumns(ops: ReadonlyArray<Nb201Ops>, dataset: Nb201Dataset): [Float64Array, Float64Array] {
  const flops = new Float64Array(ops.length);
  const params = new Float64Array(ops.length);
  const memo = new Map<string, { flopsM: number; paramsM: number }>();
  for (let i = 0; i < ops.length; i++) {
    const key = [...ops[i]].sort().join('');
    let c = memo.get(key);
    if (!c) {
      c = nb201Cost(ops[i], dataset);
      memo.set(key, c);
    }
    flops[i] = c.flopsM;
    params[i] = c.paramsM;
  }
  return [flops, params];
}
