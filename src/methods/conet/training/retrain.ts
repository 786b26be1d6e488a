// After the search: retrain a configuration from scratch and score it on a test stream (the job's "retrained test
// accuracy when asked", Table 3's Top-1 column), and the uniform-width baseline of equal params (Table 3 compares
// CONet with uniformly scaled networks, there by compound scaling).
import type { BatchStream } from '../../../datasets/pipeline';
import { Sgd, evaluate, learningRate } from '../../../trainer/engine/train-loop';
import { ConetNetwork, ConetNetworkSpec } from './network-spec';

export interface RetrainOptions {
  epochs: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  seed: number;
}

export interface RetrainResult {
  params: number;
  trainLoss: number[];
  testAccuracy: number;
  testLoss: number;
  testImages: number;
}

/** Train `sizes` from a fresh seeded initialisation (SGD, cosine schedule) and evaluate on `test`. */
export async function retrainAndTest(
  spec: ConetNetworkSpec,
  sizes: ReadonlyMap<number, number>,
  train: BatchStream,
  test: BatchStream,
  o: RetrainOptions,
  boundary?: () => Promise<void>,
  /** sees the trained network before it is disposed (e.g. to measure its ranks) */
  inspect?: (net: ConetNetwork) => void,
): Promise<RetrainResult> {
  const net = spec.build(sizes, o.seed);
  const sgd = new Sgd(net, { momentum: o.momentum, weightDecay: o.weightDecay, nesterov: false });
  try {
    const schedule = { baseLr: o.lr, minLr: 0, totalSteps: o.epochs * train.batchesPerEpoch, warmupSteps: 0 };
    const trainLoss: number[] = [];
    let step = 0;
    for (let e = 0; e < o.epochs; e++) {
      let sum = 0;
      let n = 0;
      for (const b of train.epoch(e)) {
        if (boundary) await boundary();
        sum += sgd.step(b, learningRate(step++, schedule), 0);
        n++;
      }
      trainLoss.push(n ? sum / n : NaN);
    }
    if (inspect) inspect(net);
    const r = await evaluate(net, test, boundary);
    return { params: net.paramCount(), trainLoss, testAccuracy: r.accuracy, testLoss: r.loss, testImages: r.images };
  } finally {
    sgd.dispose();
    net.dispose();
  }
}

/**
 * Uniform width multiplier with (about) the params of a target: every tunable group at round(m · start), with m
 * found by bisection so that the params are the largest not above `targetParams` (monotone in m).
 */
export function uniformSizesAtParams(spec: Pick<ConetNetworkSpec, 'initialSizes' | 'paramCount'>, targetParams: number): { multiplier: number; sizes: Map<number, number>; params: number } {
  const at = (m: number): Map<number, number> => new Map([...spec.initialSizes].map(([g, c]) => [g, Math.max(1, Math.round(m * c))]));
  let lo = 0;
  let hi = 1;
  while (spec.paramCount(at(hi)) <= targetParams && hi < 1024) hi *= 2;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (spec.paramCount(at(mid)) <= targetParams) lo = mid;
    else hi = mid;
  }
  const sizes = at(lo);
  return { multiplier: lo, sizes, params: spec.paramCount(sizes) };
}
