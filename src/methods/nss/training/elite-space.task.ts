/**
 * Trainer task `nss-elite-space`: Network Space Search (Hong et al.) on an image dataset. The resumable search loop
 * (NssSearchRun, ./runner.ts: supernet weights on one half of the training images, Theta on the other, warm-up,
 * Gumbel-softmax with tau 5 -> 0.001, L = L_task + lambda L_FLOPs, Eq. 4-5) checkpointed through ResumableTask; then
 * the Elite Space (n spaces from P_Theta, the closest to the target), its exact FLOPs distribution, the Table 1
 * #samples figures (exact), and the supernet accuracy (BN recalibrated) of architectures sampled uniformly from the
 * Elite Space and from the whole Expanded Search Space (the paper's Fig. 3). Writes the Elite Space with the searched supernet's
 * weights (../elite-space-file.ts) for the `elite-space` artefact when asked.
 */
import * as fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { UnprocessableError } from '../../../common/errors';
import { firstImages, loadDatasetRef } from '../../../datasets/dataset-ref';
import { BatchStream, trainValidStreams } from '../../../datasets/pipeline';
import type { Evidence } from '../../../jobs/evidence';
import { Rng } from '../../../common/rng';
import { writeFileAtomic } from '../../../trainer/checkpoint-file';
import { BackendChoice, selectBackend } from '../../../trainer/engine/backend';
import { ProgressWindow } from '../../../trainer/engine/progress-window';
import { ResumableTask, fingerprintOf } from '../../../trainer/resumable';
import { TaskContext, TrainerTask, trainerTask } from '../../../trainer/tasks/task';
import { encodeEliteSpaceFile } from '../elite-space-file';
import { networkCost } from '../science/cost';
import { SamplesToMeet, samplesToMeet } from '../science/elite';
import { FlopsHistogram, SpaceFlops } from '../science/flops-distribution';
import { RelaxedFlops, StageCostModel } from '../science/flops-loss';
import { LatencySamplesToMeet, checkLatencyTarget, latencyCostModel, latencyRange, latencySamplesToMeet } from '../science/latency';
import { LatencyTable, LatencyTableSummary, latencyTableSummary, latencyProvenance, parseLatencyTable } from '../../../search/spaces/cost';
import { ExpandedSearchSpace, IntRange, NetworkSpace, NssArch, archCount, depthRange, formatSpace, sampleArch, spaceCount, wholeSpace, widthRange } from '../science/space';
import { temperature, thetaProbabilities } from '../science/theta';
import { NSS_ELITE_SPACE_TASK } from '../tasks';
import { nssSpaceOf, spaceFlopsRange } from '../space-check';
import { parseNssEliteSpaceInput } from './elite-space-input';
import { NSS_SEARCH_DEFAULTS, NssEpochRecord, NssRunState, NssSearchOptions, NssSearchRun } from './runner';
import { evaluateArchs } from './search';
import { supernetWeights } from './supernet-weights';
import { firstBatches } from '../../../trainer/engine/fixed-batches';

const CHECKPOINT_FORMAT = 'nss-elite-space/1';
/** The paper's search schedule: 50 epochs on the CIFAR-10 training set (supplementary 6.4.1). */
export const NSS_PAPER_SCHEDULE = { epochs: 50, trainImages: 50_000 };

export interface NssStageRanges {
  depth: IntRange;
  width: IntRange;
}

export interface NssSampledArch {
  depths: number[];
  widths: number[];
  flops: number;
  params: number;
  /** Supernet accuracy (0..1) on the evaluation images, BN recalibrated for this architecture. */
  accuracy: number;
  loss: number;
}

export interface NssTable1Row {
  /** Networks of the space. */
  archs: number;
  /** Networks within +-10 % of the target (exact count). */
  within: number;
  p: number;
  /** Expected uniform samples until one is within +-10 % (1/p; null when p = 0). */
  expectedSamples: number | null;
  /** Chance that 5 uniform samples contain one within +-10 %. */
  hitWithin5: number;
}

export interface NssEliteSpaceResult {
  backend: BackendChoice;
  preset: string;
  expandedSearchSpace: {
    dMax: number; wMax: number; depthsPerSpace: number; widthsPerSpace: number; stemWidth: number; inputShape: number[]; numClasses: number;
    networkSpaces: number; networks: number; minFlops: number; maxFlops: number;
  };
  /** The FLOPs target; null for a latency target (see `latency`). */
  targetFlops: number | null;
  eliteSpace: {
    stages: NssStageRanges[];
    description: string;
    networks: number;
    /** Exact FLOPs; deviationOfMean and fractionWithin10 are null for a latency target. */
    flops: { min: number; max: number; mean: number; deviationOfMean: number | null; fractionWithin10: number | null; histogram: FlopsHistogram };
  };
  /** The n spaces drawn from P_Theta (the Elite Space is the closest to the target; deviation from the target's metric). */
  candidates: Array<{ stages: NssStageRanges[]; meanFlops: number; meanLatencyMs?: number; deviation: number }>;
  /** Learned P_Theta per stage: the probability of each depth range and width range. */
  theta: Array<{ depthRanges: IntRange[]; depthProbabilities: number[]; widthRanges: IntRange[]; widthProbabilities: number[] }>;
  /** Expected FLOPs (mean FLOPs of the sampled space) under the learned P_Theta. */
  expectedFlops: number;
  samples: { eliteSpace: NssSampledArch[]; expandedSearchSpace: NssSampledArch[] };
  table1: { tolerance: number; eliteSpace: NssTable1Row; expandedSearchSpace: NssTable1Row };
  curve: NssEpochRecord[];
  schedule: {
    epochs: number; warmupEpochs: number; steps: number; batchSize: number; lambda: number; trainImages: number; thetaImages: number; evalImages: number;
    dataset: string; datasetSource: string; shortened: boolean; description: string;
  };
  trainSeconds: number;
  resumedFromStep: number | null;
  notes: string[];
  evidence: Evidence;
  /** With a latency target: L_lat = |Lat(A)/target - 1| on the per-residual-block LUT (Table 1 rows above count latency). */
  latency?: NssLatencyResult;
}

export interface NssLatencyResult extends LatencyTableSummary {
  targetMs: number;
  /** [min, max] LUT latency over the Expanded Search Space. */
  spaceRangeMs: [number, number];
  eliteSpace: { meanMs: number; minMs: number; maxMs: number; deviationOfMean: number; fractionWithin10: number | null };
  /** Expected latency (mean latency of the sampled space) under the learned P_Theta. */
  expectedLatencyMs: number;
}

/** The LUT of a latency-target job: its per-stage cost model and the space's latency range; 422 naming the field when the target is out of reach. */
function nssLatency(file: string, space: ExpandedSearchSpace, target: number): { table: LatencyTable; model: StageCostModel; range: [number, number] } {
  let table: LatencyTable;
  try {
    table = parseLatencyTable(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (e) {
    throw new UnprocessableError(`input.latencyTableFile cannot be read: ${(e as Error).message}`);
  }
  const model = latencyCostModel(table, space);
  const range = latencyRange(table, space);
  checkLatencyTarget(target, range, 'spec.targetLatencyMs');
  return { table, model, range };
}

const stagesOf = (sp: NetworkSpace): NssStageRanges[] => sp.depths.map((d, i) => ({ depth: d, width: sp.widths[i] }));

function table1Row(t: SamplesToMeet): NssTable1Row {
  return { archs: t.archs, within: t.within, p: t.p, expectedSamples: Number.isFinite(t.expectedSamples) ? t.expectedSamples : null, hitWithin5: t.hitWithin5 };
}

async function run(ctx: TaskContext): Promise<NssEliteSpaceResult> {
  const input = parseNssEliteSpaceInput(ctx.input);
  const backend = await selectBackend();
  const ds = loadDatasetRef(input.dataset);
  const trainAll = firstImages(ds.train, input.maxTrainImages);
  const test = firstImages(ds.test, input.evalImages);
  const imageShape: [number, number, number] = [trainAll.height, trainAll.width, trainAll.channels];
  const space = nssSpaceOf(input.preset, imageShape, ds.numClasses, input.targetFlops);
  const lat = input.targetLatencyMs !== null ? nssLatency(input.latencyTableFile as string, space, input.targetLatencyMs) : null;
  const target = lat ? (input.targetLatencyMs as number) : (input.targetFlops as number);
  const options: NssSearchOptions = {
    ...NSS_SEARCH_DEFAULTS,
    ...(lat ? { costModel: lat.model, costRange: lat.range } : {}),
    space,
    flopsTarget: target,
    lambda: input.lambda,
    epochs: input.epochs,
    warmupFraction: input.warmupFraction,
    batchSize: input.batchSize,
    seed: input.seed,
    eliteSamples: input.n,
  };
  if (Math.round(trainAll.count * options.validFraction) < 1 || Math.round(trainAll.count * options.validFraction) >= trainAll.count) {
    throw new UnprocessableError(`${trainAll.count} training images cannot be split equally into a weight half and a Theta half`);
  }
  const { space: _s, thetaAdam, costModel: _m, ...plain } = options;
  const checkpoints = new ResumableTask<NssRunState>(
    CHECKPOINT_FORMAT,
    fingerprintOf({ ...plain, thetaAdam, preset: input.preset, imageShape, numClasses: ds.numClasses, dataset: ds.source, trainImages: trainAll.count }),
  );
  const notes: string[] = [];
  let searchRun: NssSearchRun | null = null;
  const resumed = checkpoints.resume(
    ctx.resumeFrom,
    notes,
    (r) => {
      searchRun = new NssSearchRun(trainAll, options, { state: r.state, tensors: r.arrays as Record<string, Float32Array> });
    },
    () => {
      searchRun = null;
    },
  );
  const runner: NssSearchRun = searchRun ?? new NssSearchRun(trainAll, options);
  const resumedFromStep = resumed ? resumed.step : null;
  const rf = new RelaxedFlops(space);
  const expectedFlops = (): number => rf.value(thetaProbabilities(runner.theta));
  const rl = lat ? new RelaxedFlops(space, lat.model) : null;
  const stepsPerEpoch = runner.stepsPerEpoch;
  const total = runner.totalSteps;
  const warmupEpochs = Math.round(input.epochs * input.warmupFraction);
  const window = new ProgressWindow();
  let trainSeconds = 0;
  let last = { tau: options.tauStart, spaceFlops: 0, warmup: true };
  const report = (message: string): void => {
    const step = runner.step;
    ctx.progress({
      step,
      epoch: step / stepsPerEpoch,
      ...window.take(),
      fraction: total ? step / total : 1,
      message,
      detail: {
        nssPhase: last.warmup ? 'warm-up' : 'search', temperature: last.tau, expectedFlops: expectedFlops(), targetFlops: input.targetFlops,
        ...(rl ? { expectedLatencyMs: rl.value(thetaProbabilities(runner.theta)), sampledSpaceLatencyMs: last.spaceFlops, targetLatencyMs: input.targetLatencyMs } : { sampledSpaceFlops: last.spaceFlops }),
      },
    });
  };
  const save = async (): Promise<void> => {
    const c = runner.checkpoint();
    await ctx.writeCheckpoint(checkpoints.encode(c.state, c.tensors), runner.step, runner.step / stepsPerEpoch);
  };
  try {
    report(
      resumedFromStep === null
        ? `NSS on ${backend.name}: ${input.preset} preset (${formatSpace(wholeSpace(space))}), target ${lat ? `${target} ms (LUT latency)` : `${target} FLOPs`}, ${input.epochs} epochs x ${stepsPerEpoch} steps (${warmupEpochs} warm-up)`
        : `resumed at step ${resumedFromStep}`,
    );
    while (!runner.done) {
      await ctx.boundary();
      const t0 = performance.now();
      const rec = runner.runStep();
      trainSeconds += (performance.now() - t0) / 1000;
      window.add(rec.trainLoss, 1, input.batchSize);
      last = { tau: temperature(rec.step, total, options.tauStart, options.tauEnd), spaceFlops: rec.spaceFlops, warmup: rec.warmup };
      const step = runner.step;
      if (step % input.progressEvery === 0) report(`${rec.warmup ? 'warm-up' : 'search'} step ${step}/${total}, tau ${last.tau.toPrecision(3)}`);
      if ((step % input.checkpointEvery === 0 || step % stepsPerEpoch === 0) && !runner.done) await save();
    }
    await save();
    const result = runner.result();
    // the searched supernet's shared weights, as trained (before any per-architecture BN recalibration below)
    const weights = input.exportEliteSpace ? supernetWeights(runner.net) : null;
    report(`search done; evaluating ${input.archSamples} architectures of the Elite Space and of the Expanded Search Space on the supernet`);

    // the Elite Space and its exact FLOPs statistics
    const elite = result.elite.elite;
    const eliteFlops = new SpaceFlops(space, elite.space);
    const wholeSp = wholeSpace(space);
    const latRows = lat ? { elite: latencySamplesToMeet(space, elite.space, lat.model, target), whole: latencySamplesToMeet(space, wholeSp, lat.model, target) } : null;
    const latRow = (t: LatencySamplesToMeet | null, archs: number): NssTable1Row =>
      t ? { archs: t.archs, within: t.within, p: t.p, expectedSamples: t.expectedSamples, hitWithin5: t.hitWithin5 } : { archs, within: 0, p: 0, expectedSamples: null, hitWithin5: 0 };
    const table1 = latRows
      ? { tolerance: 0.1, eliteSpace: latRow(latRows.elite, eliteFlops.archs), expandedSearchSpace: latRow(latRows.whole, archCount(wholeSp)) }
      : { tolerance: 0.1, eliteSpace: table1Row(samplesToMeet(space, eliteFlops, target)), expandedSearchSpace: table1Row(samplesToMeet(space, wholeSp, target)) };

    // Fig. 3: architectures sampled uniformly from each space, supernet accuracy with recalibrated BN
    const streams = trainValidStreams(trainAll, { validFraction: options.validFraction, seed: input.seed, batchSize: input.batchSize });
    const recal = firstBatches(streams.train, input.recalBatches);
    const testStream = new BatchStream(test, { indices: Uint32Array.from({ length: test.count }, (_, i) => i), batchSize: 256, seed: input.seed, stats: streams.stats, shuffle: false });
    const rng = Rng.fromSeed(input.seed + 31);
    const draw = (sp: NetworkSpace): NssArch[] => Array.from({ length: input.archSamples }, () => sampleArch(sp, rng));
    const boundary = (): Promise<void> => ctx.boundary();
    const evalAll = async (archs: NssArch[]): Promise<NssSampledArch[]> =>
      (await evaluateArchs(runner.net, archs, () => recal, testStream, boundary)).map((e) => ({
        depths: e.arch.depths, widths: e.arch.widths, flops: e.flops, params: networkCost(space, e.arch).params, accuracy: e.accuracy, loss: e.loss,
      }));
    const samples = { eliteSpace: await evalAll(draw(elite.space)), expandedSearchSpace: await evalAll(draw(wholeSp)) };

    // the runner's own split (same source, seed and fraction): weights on the train half, Theta on the other
    const trainImages = streams.split.train.length;
    const thetaImages = streams.split.valid.length;
    if (input.exportEliteSpace && weights) {
      const file = encodeEliteSpaceFile(
        {
          preset: input.preset, inputShape: imageShape, numClasses: ds.numClasses, targetFlops: input.targetFlops,
          ...(lat ? { targetLatencyMs: target } : {}),
          space: elite.space, meanFlops: eliteFlops.mean, dataset: ds.name,
          supernet: { epochs: input.epochs, warmupEpochs, steps: result.steps, batchSize: input.batchSize, trainImages, dataset: ds.name, params: runner.net.paramCount() },
        },
        weights,
      );
      await writeFileAtomic(input.exportEliteSpace, file);
    }

    const shortened = !(input.preset === 'paper' && input.epochs >= NSS_PAPER_SCHEDULE.epochs && trainAll.count >= NSS_PAPER_SCHEDULE.trainImages);
    const description =
      `${shortened ? 'SHORTENED schedule on a data subset: ' : ''}NSS search of ${input.epochs} epoch(s) (${warmupEpochs} warm-up) on ${trainImages} + ${thetaImages} ` +
      `${ds.name} images (weights + Theta halves), ${input.preset} preset (d_max ${space.dMax}, w_max ${space.wMax}, ${space.depthsPerSpace} depths x ${space.widthsPerSpace} widths per space, ${imageShape.join('x')} inputs); ` +
      `the paper searches 50 epochs (15 warm-up) on CIFAR-10 with d_max 16, w_max 512. Accuracies are supernet estimates on ${test.count} test images, not stand-alone training.`;
    if (shortened) notes.push(description);
    if (lat) notes.push(`latency target: ${latencyProvenance(lat.table)}; the curve's spaceFlops / flopsLoss hold the sampled spaces' LUT latency (ms) and L_lat`);
    if (input.preset === 'small') notes.push('preset small: d_max 4 (depth ranges 1-2, 3-4), w_max 32 (width ranges of 8): 512 network spaces of 4,096 networks; not the paper\'s space');
    const { min, max } = spaceFlopsRange(space);
    const probs = result.probabilities;
    return {
      backend,
      preset: input.preset,
      expandedSearchSpace: {
        dMax: space.dMax, wMax: space.wMax, depthsPerSpace: space.depthsPerSpace, widthsPerSpace: space.widthsPerSpace, stemWidth: space.stemWidth,
        inputShape: imageShape, numClasses: ds.numClasses, networkSpaces: spaceCount(space), networks: archCount(wholeSp), minFlops: min, maxFlops: max,
      },
      targetFlops: input.targetFlops,
      eliteSpace: {
        stages: stagesOf(elite.space),
        description: formatSpace(elite.space),
        networks: eliteFlops.archs,
        flops: {
          min: eliteFlops.min, max: eliteFlops.max, mean: eliteFlops.mean, deviationOfMean: lat ? null : elite.deviation,
          fractionWithin10: lat ? null : eliteFlops.fractionWithin(target), histogram: eliteFlops.histogram(input.histogramBins),
        },
      },
      candidates: result.elite.candidates.map((c) =>
        lat ? { stages: stagesOf(c.space), meanFlops: rf.spaceMean(c.choice), meanLatencyMs: c.meanFlops, deviation: c.deviation } : { stages: stagesOf(c.space), meanFlops: c.meanFlops, deviation: c.deviation },
      ),
      theta: probs.depth.map((d, i) => ({
        depthRanges: d.map((_, k) => depthRange(space, k)), depthProbabilities: d,
        widthRanges: probs.width[i].map((_, k) => widthRange(space, k)), widthProbabilities: probs.width[i],
      })),
      expectedFlops: rf.value(probs),
      samples,
      table1,
      curve: result.records,
      schedule: {
        epochs: input.epochs, warmupEpochs, steps: result.steps, batchSize: input.batchSize, lambda: input.lambda, trainImages, thetaImages, evalImages: test.count,
        dataset: ds.name, datasetSource: ds.source, shortened, description,
      },
      trainSeconds,
      resumedFromStep,
      notes,
      evidence: {
        evaluation: 'supernet',
        description:
          `NSS supernet trained in this job; each sampled architecture's accuracy is its supernet accuracy (inherited weights, BN recalibrated on ${input.recalBatches} train batches) ` +
          `on ${test.count} ${ds.name} test images, not trained stand-alone. FLOPs and the Table 1 counts are exact (no sampling). No ground truth: no benchmark table covers this space.`,
        data: { dataset: ds.name, source: ds.source, trainImages: trainAll.count, evalImages: test.count, subset: trainAll.count < ds.train.count || test.count < ds.test.count || ds.name === 'cifar10-subset' },
        schedule: { epochs: input.epochs, shortened, description },
        backend: { name: backend.name, reason: backend.reason },
        groundTruth: null,
      },
      ...(lat && rl && latRows
        ? {
            latency: {
              targetMs: target,
              spaceRangeMs: lat.range,
              eliteSpace: {
                meanMs: elite.meanFlops, minMs: latRows.elite?.min ?? NaN, maxMs: latRows.elite?.max ?? NaN, deviationOfMean: elite.deviation,
                fractionWithin10: latRows.elite ? latRows.elite.within / latRows.elite.archs : null,
              },
              expectedLatencyMs: rl.value(probs),
              ...latencyTableSummary(lat.table),
            },
          }
        : {}),
    };
  } finally {
    runner.dispose();
  }
}

export const nssEliteSpace: TrainerTask<NssEliteSpaceResult> = trainerTask(NSS_ELITE_SPACE_TASK, run);
