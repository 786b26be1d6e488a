/**
 * Trainer task `nss-arch-search` (kind `nss-search`): NSS served as a NAS search space (Sec. 4.3, Table 1). Inside an
 * Elite Space (an `elite-space` artefact) or inside the whole Expanded Search Space, for a FLOPs target:
 * - until-within: uniform draws (Eq. 3) until one architecture is within +-10 % of the target; the draws it took are
 *   the measured #samples, and that architecture is the one returned;
 * - closest-of-n: n uniform draws, the closest to the target kept (the Elite Space procedure of Table 1, n = 5);
 * - the exact expectation of #samples, 1/p with p the exact fraction of the space within +-10 % (SpaceFlops).
 * FLOPs are exact (no lookup table, no sampling error). Inside an Elite Space whose artefact holds the searched
 * supernet's weights (format 2), every candidate (the until-within architecture and the n closest-of-n draws) is also
 * evaluated on those shared weights (BN recalibrated per candidate on this job's training images), and the best
 * candidate within +-10 % by supernet accuracy is reported. The stand-alone accuracy of the returned architecture is
 * measured only when trainEpochs > 0: a SHORT training from scratch (SGD, cosine) on the dataset, tested on its test
 * images; it is null otherwise.
 */
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { UnprocessableError, violation } from '../../../common/errors';
import { firstImages, loadDatasetRef } from '../../../datasets/dataset-ref';
import type { ImageDataset } from '../../../datasets/formats/types';
import { BatchStream, trainValidStreams } from '../../../datasets/pipeline';
import type { Evidence } from '../../../jobs/evidence';
import { Rng } from '../../../common/rng';
import { BackendChoice, selectBackend } from '../../../trainer/engine/backend';
import { ProgressWindow } from '../../../trainer/engine/progress-window';
import { Sgd, evaluate, exportState, importState, learningRate } from '../../../trainer/engine/train-loop';
import { ResumableTask } from '../../../trainer/resumable';
import { TaskContext, TrainerTask, trainerTask } from '../../../trainer/tasks/task';
import { EliteSupernetInfo, readEliteSpaceFile } from '../elite-space-file';
import { NSS_MAX_SUPERNET_PARAMS } from '../job/limits';
import { archFlops, networkCost } from '../science/cost';
import { samplesToMeet } from '../science/elite';
import { flopsLoss } from '../science/flops-loss';
import { archLatencyMs, checkLatencyTarget, latencyCostModel, latencyRange, latencySamplesToMeet } from '../science/latency';
import { LatencyTable, LatencyTableSummary, latencyTableSummary, latencyProvenance, parseLatencyTable } from '../../../search/spaces/cost';
import { ExpandedSearchSpace, IntRange, NetworkSpace, NssArch, archCount, expandedSearchSpace, formatSpace, sampleArch, wholeSpace } from '../science/space';
import { NSS_ARCH_SEARCH_TASK } from '../tasks';
import { checkReachableTarget, checkSupernetSize } from '../space-check';
import { NssArchSearchInput, parseNssArchSearchInput } from './arch-search-input';
import { evaluateArchs } from './search';
import { NssSupernet } from './supernet';
import { loadSupernetWeights } from './supernet-weights';

const CHECKPOINT_FORMAT = 'nss-arch-search/1';

export interface NssFoundArch {
  depths: number[];
  widths: number[];
  flops: number;
  params: number;
  /** LUT latency (ms), with a latency target only. */
  latencyMs?: number;
  /** |metric / target - 1| (Eq. 4), the metric being FLOPs or, with a latency target, LUT latency. */
  deviation: number;
  /** Uniform draws made. */
  samples: number;
}

/** A candidate of the search evaluated on the Elite Space's supernet weights. */
export interface NssSupernetCandidate extends NssFoundArch {
  /** 'architecture': the until-within draw; 'draw': one of the n closest-of-n draws. */
  role: 'architecture' | 'draw';
  withinTolerance: boolean;
  /** Supernet accuracy 0..1 on the test images (inherited weights, BN recalibrated for this candidate). */
  accuracy: number;
  loss: number;
}

export interface NssSupernetEvaluation {
  /** Which weights evaluated the candidates: the shared weights stored in the elite-space artefact. */
  weights: { source: 'elite-space-artifact'; artifactId: string | null } & EliteSupernetInfo;
  recalBatches: number;
  evalImages: number;
  candidates: NssSupernetCandidate[];
  /** The candidate within +-10 % with the highest supernet accuracy (null when none is within). */
  bestWithinTolerance: NssSupernetCandidate | null;
  description: string;
}

export interface NssArchSearchResult {
  backend: BackendChoice;
  /** 'elite-space' (the artefact's space) or 'expanded-search-space' (the whole space of the preset). */
  searchedIn: 'elite-space' | 'expanded-search-space';
  eliteSpaceArtifactId: string | null;
  preset: string;
  inputShape: number[];
  numClasses: number;
  space: { stages: Array<{ depth: IntRange; width: IntRange }>; description: string; networks: number };
  /** FLOPs target; null with a latency target (see latency). */
  targetFlops: number | null;
  tolerance: number;
  /** The returned architecture: the first uniform draw within +-10 % (null when maxSamples draws found none). */
  architecture: NssFoundArch | null;
  /** n uniform draws, the closest kept (Table 1's Elite Space procedure). */
  closestOfN: NssFoundArch & { n: number };
  /** Exact: networks within +-10 %, their fraction p and the expected #samples 1/p (null when p = 0). */
  exact: { within: number; p: number; expectedSamples: number | null; hitWithin5: number };
  /** Stand-alone accuracy of `architecture` (or of closestOfN when none was within +-10 %); null when trainEpochs is 0. */
  accuracy: number | null;
  accuracyOf: 'architecture' | 'closestOfN' | null;
  training: { epochs: number; steps: number; trainImages: number; testImages: number; lr: number; batchSize: number; trainSeconds: number; testLoss: number; shortened: boolean; description: string } | null;
  /**
   * The candidates evaluated on the supernet weights stored with the Elite Space; null when the search is in the
   * whole Expanded Search Space or the artefact holds no weights (format 1).
   */
  supernetEvaluation: NssSupernetEvaluation | null;
  resumedFromStep: number | null;
  notes: string[];
  evidence: Evidence;
  /** With a latency target: the per-residual-block LUT (backend, how measured); the deviations and exact counts above are of LUT latency. */
  latency?: { targetMs: number; spaceRangeMs: [number, number] } & LatencyTableSummary;
}

/** The metric a target is in: exact FLOPs, or LUT latency (ms). */
type Metric = (a: NssArch) => number;

/** Uniform draws until one is within tolerance (null after maxSamples). */
function untilWithin(s: ExpandedSearchSpace, space: NetworkSpace, target: number, rng: Rng, maxSamples: number, tolerance: number, metric: Metric, lat: boolean): NssFoundArch | null {
  for (let k = 1; k <= maxSamples; k++) {
    const arch = sampleArch(space, rng);
    if (flopsLoss(metric(arch), target) <= tolerance) return found(s, arch, target, k, metric, lat);
  }
  return null;
}

/** n uniform draws; the closest to the target (first on ties) is the closest-of-n. */
function drawN(s: ExpandedSearchSpace, space: NetworkSpace, target: number, n: number, rng: Rng, metric: Metric, lat: boolean): { draws: NssFoundArch[]; closest: NssFoundArch } {
  const draws: NssFoundArch[] = [];
  let best: NssFoundArch | null = null;
  for (let k = 0; k < n; k++) {
    const f = found(s, sampleArch(space, rng), target, n, metric, lat);
    draws.push(f);
    if (best === null || f.deviation < best.deviation) best = f;
  }
  return { draws, closest: best as NssFoundArch };
}

function found(s: ExpandedSearchSpace, arch: NssArch, target: number, samples: number, metric: Metric, lat: boolean): NssFoundArch {
  const c = networkCost(s, arch);
  const m = metric(arch);
  return { depths: arch.depths, widths: arch.widths, flops: c.flops, params: c.params, ...(lat ? { latencyMs: m } : {}), deviation: flopsLoss(m, target), samples };
}

interface TrainState {
  epoch: number;
  step: number;
  trainSeconds: number;
}

async function run(ctx: TaskContext): Promise<NssArchSearchResult> {
  const input = parseNssArchSearchInput(ctx.input);
  const backend = await selectBackend();
  const notes: string[] = [];
  const ds = loadDatasetRef(input.dataset);
  const shape: [number, number, number] = [ds.train.height, ds.train.width, ds.train.channels];
  let s: ExpandedSearchSpace;
  let space: NetworkSpace;
  let stored: { weights: Record<string, Float32Array>; info: EliteSupernetInfo } | null = null;
  if (input.eliteSpaceFile) {
    const parsed = readEliteSpaceFile(input.eliteSpaceFile, 'spec.eliteSpace');
    s = parsed.space;
    if (parsed.weights && parsed.doc.supernet) stored = { weights: parsed.weights, info: parsed.doc.supernet };
    else notes.push(`the Elite Space artefact has format ${parsed.doc.format}, without supernet weights: candidates are not evaluated on a supernet`);
    space = parsed.doc.space;
    const was = parsed.doc.targetLatencyMs !== undefined ? `${parsed.doc.targetLatencyMs} ms (LUT latency)` : `${parsed.doc.targetFlops} FLOPs`;
    const now = input.targetLatencyMs !== null ? `${input.targetLatencyMs} ms (LUT latency)` : `${input.targetFlops} FLOPs`;
    if (was !== now) notes.push(`the Elite Space was searched for ${was}; this search targets ${now}`);
    if (shape.join('x') !== s.inputShape.join('x') || ds.numClasses !== s.numClasses) {
      throw new UnprocessableError(`the Elite Space is for ${s.inputShape.join('x')} images of ${s.numClasses} classes; dataset ${ds.name} has ${shape.join('x')} images of ${ds.numClasses} classes`, [
        violation('spec.dataset', 'matchesEliteSpace', `must have ${s.inputShape.join('x')} images of ${s.numClasses} classes, as the Elite Space's dataset`),
      ]);
    }
  } else {
    s = expandedSearchSpace(input.preset, shape, ds.numClasses);
    space = wholeSpace(s);
  }
  const tolerance = 0.1;
  let metric: Metric = (a) => archFlops(s, a);
  let goal: number;
  let exact: NssArchSearchResult['exact'];
  let latency: NssArchSearchResult['latency'];
  if (input.targetLatencyMs !== null) {
    let table: LatencyTable;
    try {
      table = parseLatencyTable(JSON.parse(fs.readFileSync(input.latencyTableFile as string, 'utf8')));
    } catch (e) {
      throw new UnprocessableError(`input.latencyTableFile cannot be read: ${(e as Error).message}`);
    }
    const model = latencyCostModel(table, s);
    const range = latencyRange(table, s);
    goal = input.targetLatencyMs;
    checkLatencyTarget(goal, range, 'spec.targetLatencyMs');
    metric = (a) => archLatencyMs(table, s, a);
    const ex = latencySamplesToMeet(s, space, model, goal, tolerance);
    exact = ex ? { within: ex.within, p: ex.p, expectedSamples: ex.expectedSamples, hitWithin5: ex.hitWithin5 } : { within: 0, p: 0, expectedSamples: null, hitWithin5: 0 };
    if (!ex) notes.push('the space is too large to count its networks by LUT latency: exact figures are 0 / null');
    latency = { targetMs: goal, spaceRangeMs: range, ...latencyTableSummary(table) };
    notes.push(`latency target: ${latencyProvenance(table)}`);
  } else {
    goal = input.targetFlops as number;
    checkReachableTarget(s, goal, 'spec.targetFlops');
    const ex = samplesToMeet(s, space, goal, tolerance);
    exact = { within: ex.within, p: ex.p, expectedSamples: Number.isFinite(ex.expectedSamples) ? ex.expectedSamples : null, hitWithin5: ex.hitWithin5 };
  }
  const lat = latency !== undefined;
  const rng = Rng.fromSeed(input.seed);
  const architecture = untilWithin(s, space, goal, rng, input.maxSamples, tolerance, metric, lat);
  const drawn = drawN(s, space, goal, input.n, rng, metric, lat);
  const closest = { ...drawn.closest, n: input.n };
  if (!architecture) notes.push(`no architecture within +-10 % in ${input.maxSamples} uniform draws`);
  ctx.progress({ step: 0, epoch: 0, loss: null, throughput: 0, fraction: input.trainEpochs > 0 || stored ? 0 : 1, message: `searched ${formatSpace(space)}`, detail: { samples: architecture?.samples ?? null } });

  let supernetEvaluation: NssSupernetEvaluation | null = null;
  if (stored) {
    checkSupernetSize(s, NSS_MAX_SUPERNET_PARAMS, 'spec.eliteSpace');
    const candidates = [...(architecture ? [{ ...architecture, role: 'architecture' as const }] : []), ...drawn.draws.map((d) => ({ ...d, role: 'draw' as const }))];
    ctx.progress({ step: 0, epoch: 0, loss: null, throughput: 0, fraction: 0, message: `evaluating ${candidates.length} candidates on the Elite Space's supernet weights` });
    supernetEvaluation = await evaluateOnSupernet(ctx, s, stored, candidates, input, ds, tolerance);
  }

  let accuracy: number | null = null;
  let training: NssArchSearchResult['training'] = null;
  let resumedFromStep: number | null = null;
  const target = architecture ?? closest;
  if (input.trainEpochs > 0) {
    checkSupernetSize(s, NSS_MAX_SUPERNET_PARAMS, 'spec.preset');
    const trainAll = firstImages(ds.train, input.maxTrainImages);
    const test = firstImages(ds.test, input.evalImages);
    const streams = trainValidStreams(trainAll, { validFraction: 0, seed: input.seed, batchSize: input.batchSize });
    const testStream = new BatchStream(test, { indices: Uint32Array.from({ length: test.count }, (_, i) => i), batchSize: 256, seed: input.seed, stats: streams.stats, shuffle: false });
    const arch: NssArch = { depths: target.depths, widths: target.widths };
    const net = new NssSupernet(s, input.seed);
    const sgd = new Sgd(net, { momentum: 0.9, weightDecay: 5e-4, nesterov: true });
    net.set(arch);
    try {
      const checkpoints = new ResumableTask<TrainState>(CHECKPOINT_FORMAT, {
        arch: JSON.stringify(arch), space: JSON.stringify(s), dataset: ds.source, trainImages: trainAll.count, epochs: input.trainEpochs, batchSize: input.batchSize, lr: input.lr, seed: input.seed,
      });
      let st: TrainState = { epoch: 0, step: 0, trainSeconds: 0 };
      const resumed = checkpoints.resume(ctx.resumeFrom, notes, (r) => importState(net, sgd, r.arrays));
      if (resumed) st = resumed;
      resumedFromStep = resumed ? st.step : null;
      const perEpoch = streams.train.batchesPerEpoch;
      const schedule = { baseLr: input.lr, minLr: 0, totalSteps: perEpoch * input.trainEpochs, warmupSteps: 0 };
      const window = new ProgressWindow();
      while (st.epoch < input.trainEpochs) {
        for (const batch of streams.train.epoch(st.epoch)) {
          await ctx.boundary();
          const t0 = performance.now();
          const loss = sgd.step(batch, learningRate(st.step, schedule), 0);
          if (!Number.isFinite(loss)) throw new UnprocessableError(`training diverged at step ${st.step + 1} (loss ${loss}); use a smaller lr than ${input.lr}`);
          st.trainSeconds += (performance.now() - t0) / 1000;
          st.step++;
          window.add(loss, 1, batch.shape[0]);
          if (st.step % input.progressEvery === 0) {
            ctx.progress({ step: st.step, epoch: st.epoch + (batch.batchIndex + 1) / perEpoch, ...window.take(), fraction: st.step / schedule.totalSteps, message: `stand-alone training, step ${st.step}/${schedule.totalSteps}` });
          }
        }
        st.epoch++;
        await ctx.writeCheckpoint(checkpoints.encode(st, exportState(net, sgd)), st.step, st.epoch);
      }
      const t = await evaluate(net, testStream, () => ctx.boundary());
      accuracy = t.accuracy;
      const description =
        `SHORTENED stand-alone training: ${input.trainEpochs} epoch(s) from scratch on ${trainAll.count} ${ds.name} images (no augmentation), tested on ${test.count} test images; ` +
        'the paper trains the found networks for 200 epochs on CIFAR-10, so this accuracy ranks rather than reproduces';
      notes.push(description);
      training = { epochs: input.trainEpochs, steps: st.step, trainImages: trainAll.count, testImages: test.count, lr: input.lr, batchSize: input.batchSize, trainSeconds: st.trainSeconds, testLoss: t.loss, shortened: true, description };
    } finally {
      sgd.dispose();
      net.dispose();
    }
  } else {
    notes.push('trainEpochs is 0: no accuracy measured (FLOPs and #samples only)');
  }
  const searchedIn = input.eliteSpaceFile ? 'elite-space' : 'expanded-search-space';
  return {
    backend,
    searchedIn,
    eliteSpaceArtifactId: input.eliteSpaceId,
    preset: s.name,
    inputShape: s.inputShape,
    numClasses: s.numClasses,
    space: { stages: space.depths.map((d, i) => ({ depth: d, width: space.widths[i] })), description: formatSpace(space), networks: archCount(space) },
    targetFlops: input.targetFlops,
    tolerance,
    architecture,
    closestOfN: closest,
    exact,
    accuracy,
    accuracyOf: accuracy === null ? null : architecture ? 'architecture' : 'closestOfN',
    training,
    supernetEvaluation,
    resumedFromStep,
    notes,
    evidence: {
      evaluation: 'stand-alone-training',
      description:
        (training
          ? `The found architecture trained from scratch in this job for ${training.epochs} epoch(s) and tested on ${training.testImages} images (short schedule). `
          : 'No network was trained (trainEpochs 0): no accuracy. ') +
        (supernetEvaluation ? `${supernetEvaluation.description} ` : '') +
        `FLOPs are exact multiply-adds and #samples counts uniform draws in ${searchedIn === 'elite-space' ? 'the Elite Space' : 'the whole Expanded Search Space'}; the expected #samples is exact (1/p by exhaustive counting). No ground truth.`,
      data: {
        dataset: ds.name,
        source: ds.source,
        trainImages: training?.trainImages ?? null,
        evalImages: training?.testImages ?? null,
        subset: training ? training.trainImages < ds.train.count || training.testImages < ds.test.count || ds.name === 'cifar10-subset' : false,
      },
      schedule: { epochs: training?.epochs ?? 0, shortened: training !== null, description: training?.description ?? 'nothing trained' },
      backend: training ? { name: backend.name, reason: backend.reason } : null,
      groundTruth: null,
    },
    ...(latency ? { latency } : {}),
  };
}

/** Loads the stored supernet weights and evaluates every candidate on them (BN recalibrated per candidate). */
async function evaluateOnSupernet(
  ctx: TaskContext,
  s: ExpandedSearchSpace,
  stored: { weights: Record<string, Float32Array>; info: EliteSupernetInfo },
  candidates: Array<NssFoundArch & { role: 'architecture' | 'draw' }>,
  input: NssArchSearchInput,
  ds: ImageDataset,
  tolerance: number,
): Promise<NssSupernetEvaluation> {
  const net = new NssSupernet(s, input.seed);
  try {
    loadSupernetWeights(net, stored.weights, 'spec.eliteSpace');
    const trainAll = firstImages(ds.train, input.maxTrainImages);
    const test = firstImages(ds.test, input.evalImages);
    const streams = trainValidStreams(trainAll, { validFraction: 0, seed: input.seed, batchSize: input.batchSize });
    const recal: Array<{ x: Float32Array; shape: [number, number, number, number] }> = [];
    for (const b of streams.train.epoch(0)) {
      if (recal.length >= input.recalBatches) break;
      recal.push({ x: b.x.slice(), shape: [...b.shape] as [number, number, number, number] });
    }
    const testStream = new BatchStream(test, { indices: Uint32Array.from({ length: test.count }, (_, i) => i), batchSize: 256, seed: input.seed, stats: streams.stats, shuffle: false });
    const evals = await evaluateArchs(net, candidates.map((c) => ({ depths: c.depths, widths: c.widths })), () => recal, testStream, () => ctx.boundary());
    const out: NssSupernetCandidate[] = candidates.map((c, i) => ({ ...c, withinTolerance: c.deviation <= tolerance, accuracy: evals[i].accuracy, loss: evals[i].loss }));
    const within = out.filter((c) => c.withinTolerance);
    const best = within.length ? within.reduce((a, b) => (b.accuracy > a.accuracy ? b : a)) : null;
    const info = stored.info;
    return {
      weights: { source: 'elite-space-artifact', artifactId: input.eliteSpaceId, ...info },
      recalBatches: recal.length,
      evalImages: test.count,
      candidates: out,
      bestWithinTolerance: best,
      description:
        `Candidates evaluated on the shared weights stored in the elite-space artefact${input.eliteSpaceId ? ` ${input.eliteSpaceId}` : ''}: the NSS supernet trained by its search ` +
        `(${info.epochs} epoch(s), ${info.warmupEpochs} warm-up, ${info.steps} steps at batch ${info.batchSize} on ${info.trainImages} ${info.dataset} images), ` +
        `BN recalibrated per candidate on ${recal.length} batch(es) of this job's training images, tested on ${test.count} ${ds.name} test images (supernet estimates, not stand-alone training).`,
    };
  } finally {
    net.dispose();
  }
}

export const nssArchSearch: TrainerTask<NssArchSearchResult> = trainerTask(NSS_ARCH_SEARCH_TASK, run);
