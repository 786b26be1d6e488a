/** One record of the NAS-Bench-Macro table as stored in the JSON file (values unchanged). */
export interface MacroRawRecord {
  /** CIFAR-10 test accuracy (%) of three independent trainings. */
  test_acc: number[];
  mean_acc: number;
  std: number;
  /** Parameter count. */
  params: number;
  /** Multiply-adds (count; convolutions + classifier weights). */
  flops: number;
}

/** Ground truth the table offers: CIFAR-10 test accuracy after the benchmark's 50-epoch schedule. */
export const MACRO_GROUND_TRUTH = { dataset: 'cifar10', split: 'test', epochs: 50 } as const;
export const MACRO_RUNS = 3;

/** Provenance note attached to every look-up answer. */
export const MACRO_SOURCE =
  'NAS-Bench-Macro (xiusu/NAS-Bench-Macro, CVPR 2021) benchmark look-up, no training run: CIFAR-10 test accuracy of ' +
  'three stand-alone 50-epoch trainings per network (mean = mean of the three); params and FLOPs (multiply-adds of ' +
  'convolutions and classifier weights) as stored in the table. 6,561 keys = 3,969 distinct networks: keys that differ ' +
  'only in where stride-1 identity layers sit within a stage are the same network.';
