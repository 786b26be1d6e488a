/**
 * The NSS search loop (Sec. 3.3-3.4, supplementary 6.3-6.4) over an image dataset, resumable.
 *
 * The training images are split equally (validFraction 0.5, stratified) into a train half, on which the shared
 * weights are trained, and a validation half, on which Theta is updated (Sec. 4.1). Per step:
 *  1. tau = linear 5 -> 0.001 over all steps; a space is drawn from P_Theta with the Gumbel-softmax (hard one-hot);
 *  2. in every depth range and width range of every stage a candidate is drawn uniformly; the candidates of the
 *     drawn ranges are the architecture, which is thus uniform in the drawn space (Eq. 3);
 *  3. warm-up (the first warmupFraction of the epochs, 6.3.2): with probability p = 1 - step/warmupSteps
 *     (linearly annealed to 0) each stage independently has all its channels (w_max) enabled, and independently
 *     all its blocks (d_max); Theta is not updated;
 *  4. one SGD step on a train batch for the architecture (weights sliced: channel masking, depth = d-th block);
 *  5. after warm-up: one Adam step on Theta with the gradient of Eq. 5: L_task on a validation batch through the
 *     relaxation (supernet.ts) by the straight-through estimator (theta.ts), + lambda L_FLOPs (flops-loss.ts) at the
 *     relaxed weights (default) or straight-through (option flopsRelaxation).
 * The state (step, RNG, Theta, Adam moments, weights, momentum, BN statistics, per-epoch records) is a plain
 * serialisable checkpoint; a resumed run continues bit-identically (batches are pure functions of (epoch, batch)).
 */
import { InvalidInputError, violation } from '../../../common/errors';
import type { ImageSplit } from '../../../datasets/formats/types';
import { BatchStream, ImageSource, asSource, trainValidStreams } from '../../../datasets/pipeline';
import { Rng, RngState } from '../../../common/rng';
import { Sgd, exportState, importState, learningRate } from '../../../trainer/engine/train-loop';
import { EliteSelection, selectEliteSpace } from '../science/elite';
import { archFlops } from '../science/cost';
import { FlopsRelaxation, RelaxedFlops, StageCostModel, checkFlopsTarget, flopsLoss, flopsLossGradient } from '../science/flops-loss';
import { ExpandedSearchSpace, NSS_STAGES, NssArch, depthRange, depthRangeCount, widthRange, widthRangeCount } from '../science/space';
import {
  AdamOptions,
  AdamState,
  DARTS_THETA_ADAM,
  SpaceSample,
  Theta,
  adamStep,
  addScaled,
  choiceOf,
  cloneTheta,
  hardOneHots,
  initialAdamState,
  initialTheta,
  sampleSpaceRelaxed,
  softWeights,
  temperature,
  thetaGradient,
  thetaProbabilities,
} from '../science/theta';
import { NssSupernet, RangeCandidates, relaxedTaskGradient } from './supernet';

export interface NssSearchOptions {
  space: ExpandedSearchSpace;
  /** FLOPs (multiply-adds) target of Eq. 4. */
  flopsTarget: number;
  /** lambda of Eq. 5. */
  lambda: number;
  epochs: number;
  /** Fraction of the epochs (rounded) that are warm-up (30 % = 15 of 50 epochs, supplementary 6.4.1). */
  warmupFraction: number;
  batchSize: number;
  seed: number;
  /** Weight SGD (DARTS: lr 0.025 cosine to 0.001, momentum 0.9, weight decay 3e-4). */
  weightLr: number;
  weightMinLr: number;
  momentum: number;
  weightDecay: number;
  /** Theta's Adam (DARTS: lr 3e-4, betas (0.5, 0.999), weight decay 1e-3). */
  thetaAdam: AdamOptions;
  tauStart: number;
  tauEnd: number;
  /** Spaces sampled from P_Theta to pick the Elite Space (n = 5). */
  eliteSamples: number;
  /** Share of the training images used for Theta (0.5: split equally). */
  validFraction: number;
  /** Where L_FLOPs is evaluated: at the relaxed weights (default) or at the hard one-hot (flops-loss.ts). */
  flopsRelaxation: FlopsRelaxation;
  /**
   * The cost the target is in (default: exact FLOPs). A latency LUT's per-stage sums (science/latency.ts) make
   * `flopsTarget` a latency target in ms and the loss L_lat = |Lat(A)/target - 1|, relaxed like L_FLOPs.
   */
  costModel?: StageCostModel;
  /** [min, max] of the cost over the whole space (needed with costModel: the target's reach check). */
  costRange?: [number, number];
}

export const NSS_SEARCH_DEFAULTS: Omit<NssSearchOptions, 'space' | 'flopsTarget' | 'epochs' | 'seed'> = {
  lambda: 1,
  warmupFraction: 0.3,
  batchSize: 64,
  weightLr: 0.025,
  weightMinLr: 0.001,
  momentum: 0.9,
  weightDecay: 3e-4,
  thetaAdam: DARTS_THETA_ADAM,
  tauStart: 5,
  tauEnd: 0.001,
  eliteSamples: 5,
  validFraction: 0.5,
  flopsRelaxation: 'soft',
};

/** Means over one epoch. */
export interface NssEpochRecord {
  epoch: number;
  warmup: boolean;
  trainLoss: number;
  /** Task loss of the relaxation on validation batches (search epochs only; null in warm-up). */
  validLoss: number | null;
  /** Mean FLOPs of the sampled spaces. */
  spaceFlops: number;
  /** L_FLOPs of those (Eq. 4), averaged. */
  flopsLoss: number;
  tau: number;
  /** P_Theta at the end of the epoch. */
  probabilities: Theta;
}

/** The JSON-serialisable part of the state. */
export interface NssRunState {
  step: number;
  rng: RngState;
  theta: Theta;
  adam: AdamState;
  records: NssEpochRecord[];
  /** Running sums of the current epoch. */
  acc: { n: number; trainLoss: number; validLoss: number; validN: number; spaceFlops: number; flopsLoss: number; tau: number };
}

export interface NssCheckpoint {
  state: NssRunState;
  /** Weights (`p:`), BN statistics (`b:`) and momentum buffers (`m:`). */
  tensors: Record<string, Float32Array>;
}

export interface NssStepRecord {
  step: number;
  warmup: boolean;
  arch: NssArch;
  trainLoss: number;
  validLoss: number | null;
  spaceFlops: number;
}

export interface NssSearchResult {
  theta: Theta;
  probabilities: Theta;
  elite: EliteSelection;
  records: NssEpochRecord[];
  steps: number;
}

/**
 * Throws InvalidInputError naming every bad field of the options, and on `flopsTarget` when no network of the space
 * is within +-10 % of it (FLOPs grow with every depth and width, so the extremes are the all-1 and all-max networks).
 */
export function validateSearchOptions(o: NssSearchOptions): void {
  const bad: Array<[string, string]> = [];
  const int = (v: number, lo: number): boolean => Number.isInteger(v) && v >= lo;
  if (!int(o.epochs, 1)) bad.push(['epochs', 'epochs must be an integer >= 1']);
  if (!int(o.batchSize, 1)) bad.push(['batchSize', 'batchSize must be an integer >= 1']);
  if (!(Number.isFinite(o.lambda) && o.lambda >= 0)) bad.push(['lambda', 'lambda must be a number >= 0']);
  if (!(o.warmupFraction >= 0 && o.warmupFraction < 1)) bad.push(['warmupFraction', 'warmupFraction must be in [0, 1)']);
  if (!int(o.eliteSamples, 1)) bad.push(['eliteSamples', 'eliteSamples (n) must be an integer >= 1']);
  if (!(o.validFraction > 0 && o.validFraction < 1)) bad.push(['validFraction', 'validFraction must be in (0, 1)']);
  if (!(o.weightLr > 0 && o.thetaAdam.lr > 0)) bad.push(['lr', 'learning rates must be > 0']);
  if (!(o.tauStart > 0 && o.tauEnd > 0)) bad.push(['tau', 'temperatures must be > 0']);
  if (o.flopsRelaxation !== 'soft' && o.flopsRelaxation !== 'straight-through') bad.push(['flopsRelaxation', "flopsRelaxation must be 'soft' or 'straight-through'"]);
  if (bad.length) throw new InvalidInputError(bad.map((b) => b[1]).join('; '), bad.map(([f, m]) => violation(f, 'range', m)));
  const s = o.space;
  if (o.costModel) {
    if (!o.costRange) throw new RangeError('costRange is required with costModel');
    checkFlopsTarget(o.flopsTarget, o.costRange[0], o.costRange[1], 'flopsTarget');
    return;
  }
  const min = archFlops(s, { depths: [1, 1, 1], widths: [1, 1, 1] });
  const max = archFlops(s, { depths: [s.dMax, s.dMax, s.dMax], widths: [s.wMax, s.wMax, s.wMax] });
  checkFlopsTarget(o.flopsTarget, min, max, 'flopsTarget');
}

const emptyAcc = (): NssRunState['acc'] => ({ n: 0, trainLoss: 0, validLoss: 0, validN: 0, spaceFlops: 0, flopsLoss: 0, tau: 0 });

export class NssSearchRun {
  readonly net: NssSupernet;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  readonly warmupSteps: number;
  private readonly train: BatchStream;
  private readonly valid: BatchStream;
  private readonly sgd: Sgd;
  private readonly rf: RelaxedFlops;
  private st: NssRunState;

  constructor(
    data: ImageSplit | ImageSource,
    readonly options: NssSearchOptions,
    resume?: NssCheckpoint,
  ) {
    const o = options;
    validateSearchOptions(o);
    const source = asSource(data);
    const streams = trainValidStreams(source, { validFraction: o.validFraction, seed: o.seed, batchSize: o.batchSize });
    if (!streams.valid) throw new RangeError('validFraction leaves no validation images');
    this.train = streams.train;
    this.valid = new BatchStream(source, { indices: streams.split.valid, batchSize: o.batchSize, seed: o.seed + 1, stats: streams.stats });
    this.stepsPerEpoch = this.train.batchesPerEpoch;
    this.totalSteps = o.epochs * this.stepsPerEpoch;
    this.warmupSteps = Math.round(o.epochs * o.warmupFraction) * this.stepsPerEpoch;
    this.net = new NssSupernet(o.space, o.seed);
    // built while the largest architecture is selected: every parameter gets a momentum buffer
    this.sgd = new Sgd(this.net, { momentum: o.momentum, weightDecay: o.weightDecay, nesterov: false });
    this.rf = new RelaxedFlops(o.space, o.costModel);
    const theta = initialTheta(o.space);
    this.st = { step: 0, rng: Rng.fromSeed(o.seed).state(), theta, adam: initialAdamState(theta), records: [], acc: emptyAcc() };
    if (resume) {
      importState(this.net, this.sgd, resume.tensors);
      this.st = JSON.parse(JSON.stringify(resume.state)) as NssRunState;
    }
  }

  /** The train-half stream (weights) and the validation-half stream (Theta). */
  get trainStream(): BatchStream {
    return this.train;
  }

  get validStream(): BatchStream {
    return this.valid;
  }

  get step(): number {
    return this.st.step;
  }

  get done(): boolean {
    return this.st.step >= this.totalSteps;
  }

  get theta(): Theta {
    return cloneTheta(this.st.theta);
  }

  /** Runs one step (see the file comment). */
  runStep(): NssStepRecord {
    if (this.done) throw new RangeError('the search is finished');
    const o = this.options;
    const st = this.st;
    const step = st.step;
    const rng = Rng.fromState(st.rng);
    const warmup = step < this.warmupSteps;
    const tau = temperature(step, this.totalSteps, o.tauStart, o.tauEnd);
    const sample = sampleSpaceRelaxed(st.theta, tau, rng);
    const cand = this.drawCandidates(rng);
    const arch = this.archOf(sample, cand);
    if (warmup) {
      const p = 1 - step / this.warmupSteps;
      for (let i = 0; i < NSS_STAGES; i++) {
        if (rng.next() < p) arch.widths[i] = o.space.wMax;
        if (rng.next() < p) arch.depths[i] = o.space.dMax;
      }
    }
    const epoch = Math.floor(step / this.stepsPerEpoch);
    const batch = this.train.batchAt(epoch, step % this.stepsPerEpoch);
    this.net.set(arch);
    const lr = learningRate(step, { baseLr: o.weightLr, minLr: o.weightMinLr, totalSteps: this.totalSteps, warmupSteps: 0 });
    const trainLoss = this.sgd.step(batch, lr, 0);
    if (!Number.isFinite(trainLoss)) throw new RangeError(`supernet training diverged at step ${step + 1} (loss ${trainLoss})`);
    const y = hardOneHots(sample);
    const spaceFlops = this.rf.value(y);
    let validLoss: number | null = null;
    if (!warmup) {
      const vb = this.valid.batchesPerEpoch;
      const vbatch = this.valid.batchAt(Math.floor(step / vb), step % vb);
      const task = this.taskGradient(vbatch, y, cand);
      validLoss = task.loss;
      const yFlops = o.flopsRelaxation === 'soft' ? softWeights(sample) : y;
      const dy = addScaled(task.dy, flopsLossGradient(this.rf, yFlops, o.flopsTarget, o.lambda), 1);
      adamStep(st.theta, thetaGradient(sample, dy), st.adam, o.thetaAdam);
    }
    st.rng = rng.state();
    const a = st.acc;
    a.n++;
    a.trainLoss += trainLoss;
    if (validLoss !== null) {
      a.validLoss += validLoss;
      a.validN++;
    }
    a.spaceFlops += spaceFlops;
    a.flopsLoss += flopsLoss(spaceFlops, o.flopsTarget);
    a.tau = tau;
    st.step++;
    if (st.step % this.stepsPerEpoch === 0 || st.step === this.totalSteps) {
      st.records.push({
        epoch,
        warmup: step < this.warmupSteps,
        trainLoss: a.trainLoss / a.n,
        validLoss: a.validN ? a.validLoss / a.validN : null,
        spaceFlops: a.spaceFlops / a.n,
        flopsLoss: a.flopsLoss / a.n,
        tau: a.tau,
        probabilities: thetaProbabilities(st.theta),
      });
      st.acc = emptyAcc();
    }
    return { step, warmup, arch, trainLoss, validLoss, spaceFlops };
  }

  /** Runs until `maxSteps` more steps are done or the search ends; `boundary` is awaited before every step. */
  async run(maxSteps = Infinity, boundary?: () => Promise<void>): Promise<void> {
    for (let k = 0; k < maxSteps && !this.done; k++) {
      if (boundary) await boundary();
      this.runStep();
    }
  }

  /** A uniform candidate in every depth range and width range of every stage (Eq. 3 inside each range). */
  private drawCandidates(rng: Rng): RangeCandidates {
    const s = this.options.space;
    const pick = (r: [number, number]): number => r[0] + rng.int(r[1] - r[0] + 1);
    const depth: number[][] = [];
    const width: number[][] = [];
    for (let i = 0; i < NSS_STAGES; i++) {
      depth.push(Array.from({ length: depthRangeCount(s) }, (_, k) => pick(depthRange(s, k))));
      width.push(Array.from({ length: widthRangeCount(s) }, (_, k) => pick(widthRange(s, k))));
    }
    return { depth, width };
  }

  private archOf(sample: SpaceSample, cand: RangeCandidates): NssArch {
    const c = choiceOf(sample);
    return { depths: c.depth.map((k, i) => cand.depth[i][k]), widths: c.width.map((k, i) => cand.width[i][k]) };
  }

  /** L_task on a validation batch through the relaxation and its gradient in the hard one-hots y. */
  private taskGradient(batch: { x: Float32Array; y: Int32Array; shape: [number, number, number, number] }, y: Theta, cand: RangeCandidates): { loss: number; dy: Theta } {
    return relaxedTaskGradient(this.net, batch, y, cand);
  }

  /** The serialisable state (deep copies). */
  checkpoint(): NssCheckpoint {
    return { state: JSON.parse(JSON.stringify(this.st)) as NssRunState, tensors: exportState(this.net, this.sgd) };
  }

  /** Theta, P_Theta, the Elite Space (n spaces from P_Theta, the closest to the target) and the epoch records. */
  result(): NssSearchResult {
    const o = this.options;
    const elite = selectEliteSpace(o.space, this.st.theta, o.flopsTarget, o.eliteSamples, Rng.fromSeed(o.seed + 104729), o.costModel);
    return { theta: cloneTheta(this.st.theta), probabilities: thetaProbabilities(this.st.theta), elite, records: this.st.records.slice(), steps: this.st.step };
  }

  dispose(): void {
    this.sgd.dispose();
    this.net.dispose();
  }
}
