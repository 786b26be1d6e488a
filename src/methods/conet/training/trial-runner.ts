// CONet trials (Alg. 2 lines 1-15) on the ResNet preset: train the current channel sizes for E epochs, measure
// R̄ and κ̄ of every conv layer after each epoch (EVBMF of the unfolded kernels), summarise each layer by its rank
// slope S (Eq. 3) and last κ̄, and let Alg. 2 decide the next channel sizes.
//
// Resumable per trial: the whole run is a ConetRunState (JSON but for the carried weights); a trial is a pure
// function of (state, options, data), so a run resumed from the state saved after trial t continues exactly as an
// uninterrupted one. Weights of the next trial (Alg. 2 line 15 "Instantiate model with new channels"): option
// `weights`, 'restart' (default, a fresh seeded initialisation) or 'transplant' (the fresh network takes the
// overlapping channels of the last trial's trained weights, science/transplant.ts); the carried weights are part of
// the run state as typed arrays, which a checkpoint stores beside the JSON (sweep.ts).
import { UnprocessableError, violation } from '../../../common/errors';
import type { BatchStream } from '../../../datasets/pipeline';
import { Sgd, learningRate } from '../../../trainer/engine/train-loop';
import { Alg2Params, GroupDecision, LayerTrialMetrics, SearchState, decideTrial, initialState } from '../science/alg2';
import { EvbmfOptions } from '../science/evbmf';
import { LayerMetrics, SlopeEnd, layerMetrics, rankSlope } from '../science/metrics';
import { TRIAL_WEIGHTS_DEFAULT, TrialWeights } from '../science/transplant';
import { KernelShape } from '../science/unfold';
import { ConetNetwork, ConetNetworkSpec } from './network-spec';
import { CarriedWeights, TransplantCount, snapshotWeights, transplantInto } from './transplant';

export interface ConetTrainOptions {
  /** epochs per trial (Sec. 4.3); at least 2 unless measureInit */
  epochs: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  seed: number;
  alg2: Alg2Params;
  evbmf?: EvbmfOptions;
  slopeEnd?: SlopeEnd;
  /** also measure the freshly initialised weights as epoch 0 (then t1 = 0 in Eq. 3) */
  measureInit?: boolean;
  /** weights of the next trial: 'restart' (default) or 'transplant' the overlapping channels of the last trial's */
  weights?: TrialWeights;
}

/** One conv layer's metrics at one epoch. */
export interface LayerEpochRecord {
  layer: string;
  group: number;
  r3: number;
  r4: number;
  rBar: number;
  kappa3: number | null;
  kappa4: number | null;
  kappaBar: number | null;
}

export interface EpochRecord {
  epoch: number;
  /** mean training loss of the epoch (null for the epoch-0 measurement) */
  loss: number | null;
  layers: LayerEpochRecord[];
}

export interface TrialRecord {
  trial: number;
  /** channel size of every tunable group in this trial */
  channels: Record<string, number>;
  params: number;
  epochs: EpochRecord[];
  /** per layer: S (Eq. 3) and the last κ̄, as fed to Alg. 2 */
  summaries: LayerTrialMetrics[];
  decisions: GroupDecision[];
  /** what this trial's network started from: null = a fresh seeded initialisation, else the values transplanted */
  transplanted?: TransplantCount | null;
  seconds: { train: number; measure: number };
}

export interface ConetRunState {
  search: SearchState;
  trials: TrialRecord[];
  /**
   * weights: 'transplant': every parameter and buffer after the last trial, for the next one (null or absent
   * otherwise, and once the search has stopped). Typed arrays: not JSON; sweep.ts moves them into checkpoint arrays.
   */
  carried?: CarriedWeights | null;
}

export interface ConetContext {
  spec: ConetNetworkSpec;
  train: BatchStream;
  options: ConetTrainOptions;
  /** awaited between batches (cancellation, progress) */
  boundary?: () => Promise<void>;
}

export function startRun(spec: Pick<ConetNetworkSpec, 'initialSizes'>, alg2: Pick<Alg2Params, 'phi0'>): ConetRunState {
  return { search: initialState(spec.initialSizes, alg2), trials: [] };
}

function record(layer: string, group: number, m: LayerMetrics): LayerEpochRecord {
  return { layer, group, r3: m.r3.rank, r4: m.r4.rank, rBar: m.rBar, kappa3: m.r3.condition, kappa4: m.r4.condition, kappaBar: m.kappaBar };
}

/** Metrics of every measured conv layer of a network. */
export function measureNetwork(net: ConetNetwork, measured: ConetNetworkSpec['measured'], evbmf: EvbmfOptions = {}): LayerEpochRecord[] {
  return measured.map(({ name, group }) => {
    const k = net.kernel(name);
    const values = k.dataSync();
    // deterministic training: a retry would diverge again, so this fails the job for good (a DomainError)
    if (!values.every(Number.isFinite)) {
      throw new UnprocessableError(`training diverged: layer ${name} has non-finite weights`, [violation('lr', 'converges', 'training diverged; lower the learning rate')]);
    }
    return record(name, group, layerMetrics(values, k.shape as unknown as KernelShape, evbmf));
  });
}

/** One trial: train, measure per epoch, decide (Alg. 2). Returns the next run state. */
export async function runTrial(run: ConetRunState, ctx: ConetContext): Promise<ConetRunState> {
  const o = ctx.options;
  if (run.search.stopped) throw new RangeError('the CONet search has already stopped');
  if (!(Number.isInteger(o.epochs) && o.epochs >= (o.measureInit ? 1 : 2))) throw new RangeError('epochs per trial must be >= 2 (>= 1 with measureInit)');
  const trial = run.search.trials;
  const sizes = new Map(run.search.groups.map((g) => [g.group, g.channels]));
  const net = ctx.spec.build(sizes, o.seed + 7919 * (trial + 1));
  const weights = o.weights ?? TRIAL_WEIGHTS_DEFAULT;
  let transplanted: TransplantCount | null = null;
  let carried: CarriedWeights | null = null;
  try {
    if (weights === 'transplant' && run.carried) transplanted = transplantInto(net, run.carried);
  } catch (e) {
    net.dispose();
    throw e;
  }
  const sgd = new Sgd(net, { momentum: o.momentum, weightDecay: o.weightDecay, nesterov: false });
  const epochs: EpochRecord[] = [];
  let trainMs = 0;
  let measureMs = 0;
  try {
    const measure = (epoch: number, loss: number | null): void => {
      const t = Date.now();
      epochs.push({ epoch, loss, layers: measureNetwork(net, ctx.spec.measured, o.evbmf) });
      measureMs += Date.now() - t;
    };
    if (o.measureInit) measure(0, null);
    const perEpoch = ctx.train.batchesPerEpoch;
    const schedule = { baseLr: o.lr, minLr: 0, totalSteps: o.epochs * perEpoch, warmupSteps: 0 };
    let step = 0;
    for (let e = 0; e < o.epochs; e++) {
      const t = Date.now();
      let loss = 0;
      let n = 0;
      // the data order of trial t, epoch e: stream epoch t * epochs + e (a pure function of the state)
      for (const b of ctx.train.epoch(trial * o.epochs + e)) {
        if (ctx.boundary) await ctx.boundary();
        loss += sgd.step(b, learningRate(step++, schedule), 0);
        n++;
      }
      trainMs += Date.now() - t;
      measure(e + 1, n ? loss / n : null);
    }
    if (weights === 'transplant') carried = snapshotWeights(net);
  } finally {
    sgd.dispose();
    net.dispose();
  }
  const params = ctx.spec.paramCount(sizes);
  const summaries: LayerTrialMetrics[] = ctx.spec.measured.map(({ name, group }) => {
    const series = epochs.map((ep) => ({ epoch: ep.epoch, rBar: ep.layers.find((l) => l.layer === name)!.rBar }));
    const last = epochs[epochs.length - 1].layers.find((l) => l.layer === name)!;
    return { layer: name, group, slope: rankSlope(series, o.slopeEnd), kappaBar: last.kappaBar };
  });
  const { state, decisions } = decideTrial(run.search, summaries, o.alg2);
  const channels: Record<string, number> = {};
  for (const [g, c] of sizes) channels[String(g)] = c;
  const rec: TrialRecord = { trial, channels, params, epochs, summaries, decisions, transplanted, seconds: { train: trainMs / 1000, measure: measureMs / 1000 } };
  return { search: state, trials: [...run.trials, rec], carried: state.stopped ? null : carried };
}

/** Trials until Alg. 2 stops; `onTrial` sees (and may persist) the state after every trial. */
export async function runConet(run: ConetRunState, ctx: ConetContext, onTrial?: (s: ConetRunState) => Promise<void>): Promise<ConetRunState> {
  let s = run;
  while (!s.search.stopped) {
    s = await runTrial(s, ctx);
    if (onTrial) await onTrial(s);
  }
  return s;
}
