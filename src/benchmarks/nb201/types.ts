/** NAS-Bench-201 cell space: 6 edges, 5 candidate operations each (15,625 archs). */
export const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;
export type Nb201Op = (typeof NB201_OPS)[number];
export const NB201_NUM_EDGES = 6;

/** Datasets of the benchmark; `cifar10-valid` is trained on train, evaluated on the valid split. */
export const NB201_DATASETS = ['cifar10', 'cifar10-valid', 'cifar100', 'ImageNet16-120'] as const;
export type Nb201Dataset = (typeof NB201_DATASETS)[number];
export type Nb201Split = 'test' | 'valid';
export type Nb201Epochs = 12 | 200;

/** Op indices per edge (each 0..4, in NB201_OPS order), edge order e0..e5 as in the arch string. */
export type Nb201Ops = readonly number[];

/** Read-only view of the benchmark tables every algorithm and endpoint works against. */
export interface Nb201Table {
  /** Number of architectures (15,625). */
  readonly size: number;
  /** HELP latency device names, e.g. `pixel3`, `1080ti_1`. */
  readonly devices: readonly string[];
  archStr(index: number): string;
  /** Op indices of an arch (length 6). */
  ops(index: number): Nb201Ops;
  /** Index of an arch given its op indices, or -1. */
  indexOfOps(ops: Nb201Ops): number;
  /** Accuracy in percent, NaN when the table has no such value (e.g. cifar10-valid test). */
  accuracy(index: number, dataset: Nb201Dataset, split: Nb201Split, epochs: Nb201Epochs): number;
  /** MFLOPs (multiply-adds, official NB201 convention). */
  flops(index: number, dataset: Nb201Dataset): number;
  /** Millions of parameters. */
  params(index: number, dataset: Nb201Dataset): number;
  /** Inference latency in ms on a HELP device; NaN when unknown. */
  latency(index: number, device: string): number;
}
