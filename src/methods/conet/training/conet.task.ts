/**
 * Trainer task `conet`: CONet (Hosseini et al.) on one network for one δ or a δ sweep. Per δ, Alg. 2 trials (train
 * E epochs from a fresh seeded init, or with option weights 'transplant' from the last trial's weights, R̄ / κ̄ of
 * every conv layer after each epoch by EVBMF, S by Eq. 3, one decision per channel group, Eq. 4) until every group
 * converged or the trial limit; then, when asked, every final configuration retrained from scratch and tested; the
 * trade-off curve, the configuration that best meets the target, and the final network exported as a TensorFlow.js
 * LayersModel bundle. Checkpointed after every trial and every retrain (ResumableTask): a resumed run continues
 * exactly where the last checkpoint left it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BatchStream, channelStats } from '../../../datasets/pipeline';
import { firstImages, loadDatasetRef } from '../../../datasets/dataset-ref';
import type { Evidence } from '../../../jobs/evidence';
import { BackendChoice, selectBackend } from '../../../trainer/engine/backend';
import { writeFileAtomic } from '../../../trainer/checkpoint-file';
import { ResumableTask, fingerprintOf } from '../../../trainer/resumable';
import { TaskContext, TrainerTask, trainerTask } from '../../../trainer/tasks/task';
import { ALG2_DEFAULTS, Alg2Params, GroupDecision } from '../science/alg2';
import { TRIAL_WEIGHTS_DEFAULT, TrialWeights } from '../science/transplant';
import { CONET_LATENCY_SPACE, SweepPoint, bestForTarget, tradeOffCurve } from '../science/targets';
import * as tf from '@tensorflow/tfjs-core';
import { LatencyTable, LatencyTableSummary, latencyTableSummary, distinctUnits, latencyProvenance, layerUnits, missingKeys, parseLatencyTable, predictLatencyMs } from '../../../search/spaces/cost';
import { DEFAULT_MEASURE, buildLatencyTable } from '../../../trainer/latency/measure';
import { CONET_TASK } from '../tasks';
import { ConetInput, parseConetInput } from './input';
import { CONET_BUNDLE_FORMAT } from '../formats';
import { ConetBundle, ConetPresetDescriptor, ResolvedNetwork, networkFromModelFile, resolveNetwork, startingAt } from './network';
import { exportArtifacts, layersModelFiles } from '../../../trainer/export/layers-model';
import { RetrainResult, retrainAndTest } from './retrain';
import { SweepJson, SweepState, finalSizes, startSweep, sweepDone, sweepFromCheckpoint, sweepStep, sweepToCheckpoint } from './sweep';
import type { ConetNetwork } from './network-spec';
import type { TrialRecord } from './trial-runner';

/** The paper's schedule (Sec. 4.3 / 5): 20 epochs per trial, up to 25 trials, full CIFAR. */
export const CONET_PAPER_SCHEDULE = { epochsPerTrial: 20, maxTrials: 25 };

export interface ConetLayerTrial {
  layer: string;
  group: number;
  /** R̄ = (R3 + R4)/2 after each epoch of the trial (Eq. 1) */
  rBar: number[];
  /** κ̄ after each epoch (Eq. 2); null where the rank is 0 */
  kappaBar: Array<number | null>;
  /** rank slope S over the trial (Eq. 3), as fed to Alg. 2 */
  slope: number;
}

export interface ConetTrial {
  trial: number;
  /** channel size of every tunable group in this trial (group id -> channels) */
  channels: Record<string, number>;
  params: number;
  flops: number;
  /** mean training loss per epoch */
  loss: Array<number | null>;
  layers: ConetLayerTrial[];
  decisions: GroupDecision[];
  /** null: the trial's network started from a fresh seeded initialisation; else the values transplanted (weights 'transplant') */
  transplanted: { copied: number; total: number } | null;
  seconds: { train: number; measure: number };
}

export interface ConetRetrain {
  epochs: number;
  testAccuracy: number;
  testLoss: number;
  testImages: number;
  trainLoss: number[];
}

export interface ConetRun {
  delta: number;
  stopReason: 'converged' | 'trial-limit' | null;
  trials: ConetTrial[];
  /** sizes after the last decision */
  finalSizes: Record<string, number>;
  params: number;
  flops: number;
  retrain: ConetRetrain | null;
}

/** The latency part of a result with a latency target (per-layer LUT). */
export interface ConetLatencyResult extends LatencyTableSummary {
  /** LUT-predicted latency (ms) of each sweep point's final network, in sweep order. */
  perRun: number[];
  /** Layers this job measured (absent from the cached table). */
  measuredNow: number;
  /** Seconds this job spent measuring them. */
  measureSeconds: number;
  fromCache: boolean;
  notes: string[];
}

/**
 * Per-layer LUT latency of each sweep point's final network (the cost counter's layer list: conv, BN, pooling and
 * linear layers; activations and residual additions are not in it). Layers missing from the cached table are measured
 * here, on the trainer's backend; the table used (cached + new) is written to input.exportLatencyTable.
 */
async function conetLatency(input: ConetInput, net: ResolvedNetwork, runs: ConetRun[], imageShape: [number, number, number], boundary: () => Promise<void>): Promise<ConetLatencyResult> {
  const notes: string[] = [];
  let cached: LatencyTable | null = null;
  if (input.latencyTableFile) {
    try {
      cached = parseLatencyTable(JSON.parse(fs.readFileSync(input.latencyTableFile, 'utf8')));
    } catch (e) {
      notes.push(`latency: the cached table could not be read (${(e as Error).message}); every layer measured afresh`);
    }
    if (cached && cached.backend !== tf.getBackend()) {
      notes.push(`latency: the cached table was measured on ${cached.backend}, this trainer runs ${tf.getBackend()}; every layer measured afresh`);
      cached = null;
    }
  }
  const unitsPerRun = runs.map((r) => layerUnits(net.layers(new Map(Object.entries(r.finalSizes).map(([g, c]) => [Number(g), c])))));
  const missing = cached ? distinctUnits(unitsPerRun.flat()).filter((u) => missingKeys(cached as LatencyTable, [u]).length > 0) : distinctUnits(unitsPerRun.flat());
  const fresh = missing.length ? await buildLatencyTable(CONET_LATENCY_SPACE, imageShape, missing, { ...DEFAULT_MEASURE, boundary }) : null;
  const base = (cached ?? fresh) as LatencyTable;
  const table: LatencyTable = {
    ...base,
    entries: { ...(cached?.entries ?? {}), ...(fresh?.entries ?? {}) },
    cpuEntries: { ...(cached?.cpuEntries ?? {}), ...(fresh?.cpuEntries ?? {}) },
    buildSeconds: (cached?.buildSeconds ?? 0) + (fresh?.buildSeconds ?? 0),
  };
  if (input.exportLatencyTable && fresh) await writeFileAtomic(input.exportLatencyTable, new TextEncoder().encode(JSON.stringify(table)));
  notes.push(`latency: ${latencyProvenance(table)}; per-layer keys (conv, BN, pooling, linear; activations and residual additions are not counted)`);
  return {
    perRun: unitsPerRun.map((u) => predictLatencyMs(table, u)),
    ...latencyTableSummary(table),
    measuredNow: missing.length,
    measureSeconds: fresh?.buildSeconds ?? 0,
    fromCache: cached !== null,
    notes,
  };
}

export interface ConetResult {
  backend: BackendChoice;
  network: ConetPresetDescriptor & { source: 'preset' | 'model-file'; modelFormat: string | null };
  groups: Array<{ group: number; nodes: string[]; start: number }>;
  dataset: string;
  datasetSource: string;
  numClasses: number;
  imageShape: [number, number, number];
  trainImages: number;
  testImages: number | null;
  alg2: { mu: number; gamma: number; phi0: number; maxTrials: number; minChannels: number; maxChannels: number; vote: string; stopRule: string; spectrum: string };
  /** weights of the next trial (Alg. 2 line 15): 'restart' from a seeded initialisation or 'transplant' the overlapping channels */
  weights: TrialWeights;
  schedule: { epochsPerTrial: number; batchSize: number; lr: number; momentum: number; weightDecay: number; retrainEpochs: number | null; shortened: boolean; description: string };
  start: { sizes: Record<string, number>; params: number; flops: number };
  runs: ConetRun[];
  curve: Array<SweepPoint & { dominated: boolean }>;
  target: { metric: string; value: number; rule: string; within: boolean } | null;
  final: { delta: number; sizes: Record<string, number>; params: number; flops: number; testAccuracy: number | null; chosenBy: string };
  /** format of the exported model file (null when not exported) */
  exportFormat: string | null;
  resumedAfterSteps: number | null;
  seconds: number;
  notes: string[];
  evidence: Evidence;
  /** With a latency target: per-layer LUT latencies of the sweep points (curve[].latencyMs) and where they were measured. */
  latency?: Omit<ConetLatencyResult, 'notes'>;
}

interface TaskState {
  sweep: SweepState;
  /** in a checkpoint: the shapes of the carried weights (weights 'transplant'), whose values are its arrays */
  carriedShapes?: SweepJson['carriedShapes'];
  /** units of work done (trials + retrains) */
  steps: number;
  seconds: number;
}

const CHECKPOINT_FORMAT = 'conet/1';

const sizesRecord = (m: ReadonlyMap<number, number>): Record<string, number> => Object.fromEntries([...m].map(([g, c]) => [String(g), c]));

function resolveInputNetwork(input: ConetInput, imageShape: [number, number, number], numClasses: number): { net: ResolvedNetwork; format: string | null } {
  const n = input.network;
  if (n.kind !== 'model-file') return { net: resolveNetwork(n, imageShape, numClasses), format: null };
  if (n.path === null) throw new Error('conet: the model file of input.network was not resolved');
  const m = networkFromModelFile(n.path, 'spec.network.modelArtifact');
  const net = resolveNetwork(m.descriptor, imageShape, numClasses);
  return { net: m.sizes ? startingAt(net, m.sizes, 'spec.network.modelArtifact') : net, format: m.format };
}

function compactTrial(t: TrialRecord, net: ResolvedNetwork): ConetTrial {
  const sizes = new Map(Object.entries(t.channels).map(([g, c]) => [Number(g), c]));
  return {
    trial: t.trial,
    channels: t.channels,
    params: t.params,
    flops: net.cost(sizes).flops,
    loss: t.epochs.map((e) => e.loss),
    layers: t.summaries.map((s) => ({
      layer: s.layer,
      group: s.group,
      rBar: t.epochs.map((e) => e.layers.find((l) => l.layer === s.layer)!.rBar),
      kappaBar: t.epochs.map((e) => e.layers.find((l) => l.layer === s.layer)!.kappaBar),
      slope: s.slope,
    })),
    decisions: t.decisions,
    transplanted: t.transplanted ?? null,
    seconds: t.seconds,
  };
}

async function bundleOf(model: Awaited<ReturnType<typeof exportArtifacts>>, b: Omit<ConetBundle, 'format' | 'modelJson' | 'weightsBase64'>): Promise<Uint8Array> {
  const { modelJson, weights } = layersModelFiles(model);
  const bundle: ConetBundle = { format: CONET_BUNDLE_FORMAT, ...b, modelJson, weightsBase64: weights.toString('base64') };
  return Buffer.from(JSON.stringify(bundle));
}

async function run(ctx: TaskContext): Promise<ConetResult> {
  const input = parseConetInput(ctx.input);
  const backend = await selectBackend();
  const ds = loadDatasetRef(input.dataset);
  const trainSplit = firstImages(ds.train, input.maxTrainImages);
  const imageShape: [number, number, number] = [trainSplit.height, trainSplit.width, trainSplit.channels];
  const { net, format } = resolveInputNetwork(input, imageShape, ds.numClasses);
  const isCifar = input.dataset.kind === 'builtin' && input.dataset.name === 'cifar10-subset';
  const indices = Uint32Array.from({ length: trainSplit.count }, (_, i) => i);
  const stats = channelStats(trainSplit, indices);
  const augment = isCifar ? { cropPadding: 4, horizontalFlip: true } : { cropPadding: 0, horizontalFlip: false };
  const train = new BatchStream(trainSplit, { indices, batchSize: input.batchSize, seed: input.seed, stats, augment });
  const testSplit = input.retrain ? firstImages(ds.test, input.maxTestImages) : null;
  const test = testSplit ? new BatchStream(testSplit, { indices: Uint32Array.from({ length: testSplit.count }, (_, i) => i), batchSize: 256, seed: input.seed, stats, shuffle: false }) : null;

  const alg2: Alg2Params = {
    ...ALG2_DEFAULTS,
    delta: input.deltas[0],
    mu: input.mu,
    gamma: input.gamma,
    phi0: input.phi0,
    maxTrials: input.maxTrials,
    minChannels: input.minChannels,
    maxChannels: input.maxChannels,
    vote: input.vote,
    stopRule: input.stopRule,
  };
  const search = { epochs: input.epochsPerTrial, lr: input.lr, momentum: input.momentum, weightDecay: input.weightDecay, seed: input.seed, alg2, evbmf: { spectrum: input.spectrum }, weights: input.weights };
  const retrainOpts = input.retrain ? { epochs: input.retrainEpochs, lr: input.lr, momentum: input.momentum, weightDecay: input.weightDecay, seed: input.seed } : null;
  const flops = (s: ReadonlyMap<number, number>): number => net.cost(s).flops;
  const sweepCtx = { spec: net.spec, train, test: null, search, retrain: null, flops, boundary: () => ctx.boundary() };

  const checkpoints = new ResumableTask<TaskState>(
    CHECKPOINT_FORMAT,
    fingerprintOf({
      network: net.descriptor,
      start: sizesRecord(net.spec.initialSizes),
      dataset: ds.source,
      trainImages: trainSplit.count,
      testImages: testSplit?.count ?? null,
      deltas: input.deltas,
      alg2,
      spectrum: input.spectrum,
      // absent for the default, so checkpoints written before the option existed still resume
      weights: input.weights === TRIAL_WEIGHTS_DEFAULT ? undefined : input.weights,
      epochsPerTrial: input.epochsPerTrial,
      batchSize: input.batchSize,
      lr: input.lr,
      momentum: input.momentum,
      weightDecay: input.weightDecay,
      seed: input.seed,
      retrainEpochs: retrainOpts?.epochs ?? null,
    }),
  );
  const notes: string[] = [];
  let st: TaskState = { sweep: startSweep(net.spec, input.deltas, alg2), steps: 0, seconds: 0 };
  // the carried weights (weights 'transplant') come back from the checkpoint's arrays; a misfit is a corrupt checkpoint
  const restored: { sweep: SweepState | null } = { sweep: null };
  const resumed = checkpoints.resume(ctx.resumeFrom, notes, (r) => {
    restored.sweep = sweepFromCheckpoint({ sweep: r.state.sweep, carriedShapes: r.state.carriedShapes ?? [] }, r.arrays);
  });
  if (resumed && restored.sweep) st = { sweep: restored.sweep, steps: resumed.steps, seconds: resumed.seconds };
  const encodeState = (s: TaskState): Uint8Array => {
    const c = sweepToCheckpoint(s.sweep);
    return checkpoints.encode({ ...s, sweep: c.json.sweep, carriedShapes: c.json.carriedShapes }, c.arrays);
  };
  const resumedAfterSteps = resumed ? st.steps : null;
  // retrained networks are kept (as bundles) beside the checkpoints until the final one is chosen
  const retrainFile = (i: number): string => path.join(ctx.checkpointDir, `conet-retrained-${i}.json`);
  const totalUnits = (): number => st.sweep.runs.reduce((n, r) => n + (r.search.stopped ? r.trials.length : input.maxTrials), 0) + (input.retrain ? input.deltas.length : 0);
  const report = (message: string, detail: Record<string, unknown>): void => {
    ctx.progress({ step: st.steps, epoch: st.steps, loss: null, throughput: 0, fraction: Math.min(1, st.steps / Math.max(1, totalUnits())), message, detail });
  };
  report(resumed ? `resumed after ${st.steps} trials/retrains` : `CONet on ${net.descriptor.kind}: ${net.groups.length} channel groups, deltas ${input.deltas.join(', ')}, ${input.epochsPerTrial} epochs/trial, up to ${input.maxTrials} trials`, {
    stage: 'start',
    groups: net.groups.length,
  });
  const wantRetrain = (): boolean => retrainOpts !== null && test !== null;
  while (!sweepDone(st.sweep, { test: wantRetrain() ? test : null, retrain: retrainOpts })) {
    const u0 = Date.now();
    const i = st.sweep.runs.findIndex((r) => !r.search.stopped);
    let detail: Record<string, unknown>;
    let message: string;
    if (i >= 0) {
      st = { ...st, sweep: await sweepStep(st.sweep, sweepCtx) };
      const r = st.sweep.runs[i];
      const t = r.trials[r.trials.length - 1];
      const meanRBar = t.epochs[t.epochs.length - 1].layers.reduce((a, l) => a + l.rBar, 0) / Math.max(1, t.epochs[t.epochs.length - 1].layers.length);
      detail = { stage: 'trial', delta: st.sweep.deltas[i], trial: t.trial, channels: t.channels, next: Object.fromEntries(t.decisions.map((d) => [String(d.group), d.channelsAfter])), params: t.params, meanRBar, stopped: r.search.stopped };
      message = `delta ${st.sweep.deltas[i]} trial ${t.trial}: params ${t.params}, mean R-bar ${meanRBar.toFixed(4)}${r.search.stopped ? `, stopped (${r.search.stopReason})` : ''}`;
    } else {
      const j = st.sweep.retrained.findIndex((x) => x === null);
      let captured: ReturnType<ResolvedNetwork['toLayers']> | null = null;
      const sizes = finalSizes(st.sweep.runs[j]);
      const res: RetrainResult = await retrainAndTest(net.spec, sizes, train, test!, retrainOpts!, () => ctx.boundary(), (trained: ConetNetwork) => {
        if (input.exportModel) captured = net.toLayers(trained);
      });
      if (captured !== null) {
        const model = captured as ReturnType<ResolvedNetwork['toLayers']>;
        try {
          const bytes = await bundleOf(await exportArtifacts(model), {
            network: net.descriptor,
            groupSizes: sizesRecord(sizes),
            numClasses: ds.numClasses,
            imageShape,
            inputNormalisation: { mean: stats.mean, std: stats.std },
            info: { delta: st.sweep.deltas[j], dataset: ds.source, testAccuracy: res.testAccuracy, params: res.params, retrainEpochs: retrainOpts!.epochs },
          });
          await writeFileAtomic(retrainFile(j), bytes);
        } finally {
          model.dispose();
        }
      }
      st = { ...st, sweep: { ...st.sweep, retrained: st.sweep.retrained.map((x, k) => (k === j ? res : x)) } };
      detail = { stage: 'retrain', delta: st.sweep.deltas[j], params: res.params, testAccuracy: res.testAccuracy };
      message = `retrained delta ${st.sweep.deltas[j]}: params ${res.params}, test accuracy ${res.testAccuracy.toFixed(4)}`;
    }
    st = { ...st, steps: st.steps + 1, seconds: st.seconds + (Date.now() - u0) / 1000 };
    await ctx.writeCheckpoint(encodeState(st), st.steps, st.steps);
    report(message, detail);
  }

  const runs: ConetRun[] = st.sweep.runs.map((r, i) => {
    const sizes = finalSizes(r);
    const c = net.cost(sizes);
    const rt = st.sweep.retrained[i];
    return {
      delta: st.sweep.deltas[i],
      stopReason: r.search.stopReason,
      trials: r.trials.map((t) => compactTrial(t, net)),
      finalSizes: sizesRecord(sizes),
      params: c.params,
      flops: c.flops,
      retrain: rt ? { epochs: retrainOpts!.epochs, testAccuracy: rt.testAccuracy, testLoss: rt.testLoss, testImages: rt.testImages, trainLoss: rt.trainLoss } : null,
    };
  });
  const lat = input.target?.metric === 'latency' ? await conetLatency(input, net, runs, imageShape, () => ctx.boundary()) : null;
  if (lat) notes.push(...lat.notes);
  const points: SweepPoint[] = runs.map((r, i) => ({ delta: r.delta, params: r.params, flops: r.flops, latencyMs: lat ? lat.perRun[i] : null, accuracy: r.retrain?.testAccuracy ?? null }));
  let chosen: SweepPoint;
  let chosenBy: string;
  let target: ConetResult['target'] = null;
  if (input.target) {
    const best = bestForTarget(points, input.target, input.targetRule);
    chosen = best.point;
    chosenBy = `target ${input.target.metric} ${input.target.value} (rule ${input.targetRule})${best.within ? '' : ': no point meets it, the smallest is returned'}`;
    target = { ...input.target, rule: input.targetRule, within: best.within };
  } else if (points.some((p) => p.accuracy !== null) && points.length > 1) {
    chosen = [...points].sort((a, b) => (b.accuracy ?? -1) - (a.accuracy ?? -1) || a.params - b.params)[0];
    chosenBy = 'no target: the most accurate retrained point of the sweep';
  } else {
    chosen = points[0];
    chosenBy = points.length > 1 ? 'no target and no retrain: the first delta of the sweep' : 'the only delta';
  }
  const k = points.indexOf(chosen);
  const finalRun = runs[k];
  if (input.exportModel) {
    fs.copyFileSync(retrainFile(k), input.exportModel);
  }
  const startCost = net.cost(net.spec.initialSizes);
  const trialsRun = runs.reduce((n, r) => n + r.trials.length, 0);
  const shortened = input.epochsPerTrial < CONET_PAPER_SCHEDULE.epochsPerTrial || input.maxTrials < CONET_PAPER_SCHEDULE.maxTrials || input.maxTrainImages !== null || isCifar;
  const description =
    `${input.epochsPerTrial} epochs per trial, up to ${input.maxTrials} trials (${trialsRun} run over ${runs.length} delta value(s)) on ${trainSplit.count} training images` +
    (retrainOpts ? `, each final configuration retrained ${retrainOpts.epochs} epochs from scratch and tested on ${testSplit!.count} test images` : ', no retrain') +
    (shortened ? `; SHORTENED against the paper's ${CONET_PAPER_SCHEDULE.epochsPerTrial} epochs x ${CONET_PAPER_SCHEDULE.maxTrials} trials on full CIFAR` : '');
  if (shortened) notes.push(`SHORTENED schedule: ${description}. Ranks measured after little training are dominated by the random initialisation; channel sizes are not the paper's converged ones.`);
  if (format) notes.push(`network read from a model artefact of format ${format}; its architecture (and, for a CONet bundle, its channel sizes) is the starting point, its weights are not used (the first trial starts from a seeded initialisation)`);
  notes.push(
    input.weights === 'transplant'
      ? 'weights transplant: every trial after the first starts from the last trial\'s trained weights, sliced to the new channel sizes (new channels freshly initialised; SGD momentum and the learning-rate schedule restart); the rank slope S then measures growth from already-trained weights'
      : 'weights restart: every trial starts from a fresh seeded initialisation (Alg. 2 line 15, "Instantiate model with new channels")',
  );
  const evidence: Evidence = {
    evaluation: 'stand-alone-training',
    description:
      'CONet channel search (Alg. 2: rank slope S and low-rank condition kappa from EVBMF of the unfolded kernels, one decision per channel group) on stand-alone training runs' +
      (retrainOpts ? '; final configurations retrained from scratch and tested on held-out test images' : '; nothing tested (retrain off)') +
      '. No ground truth exists for channel sizes of this network, so none is compared.',
    data: { dataset: input.dataset.name, source: ds.source, trainImages: trainSplit.count, evalImages: testSplit?.count ?? null, subset: input.maxTrainImages !== null || (testSplit !== null && testSplit.count < ds.test.count) || isCifar },
    schedule: { epochs: input.epochsPerTrial, shortened, description },
    backend: { name: backend.name, reason: backend.reason },
    groundTruth: null,
  };
  return {
    backend,
    network: { ...net.descriptor, source: format ? 'model-file' : 'preset', modelFormat: format },
    groups: net.groups,
    dataset: input.dataset.name,
    datasetSource: ds.source,
    numClasses: ds.numClasses,
    imageShape,
    trainImages: trainSplit.count,
    testImages: testSplit?.count ?? null,
    alg2: { mu: input.mu, gamma: input.gamma, phi0: input.phi0, maxTrials: input.maxTrials, minChannels: input.minChannels, maxChannels: input.maxChannels, vote: input.vote, stopRule: input.stopRule, spectrum: input.spectrum },
    weights: input.weights,
    schedule: { epochsPerTrial: input.epochsPerTrial, batchSize: input.batchSize, lr: input.lr, momentum: input.momentum, weightDecay: input.weightDecay, retrainEpochs: retrainOpts?.epochs ?? null, shortened, description },
    start: { sizes: sizesRecord(net.spec.initialSizes), params: startCost.params, flops: startCost.flops },
    runs,
    curve: tradeOffCurve(points),
    target,
    final: { delta: finalRun.delta, sizes: finalRun.finalSizes, params: finalRun.params, flops: finalRun.flops, testAccuracy: finalRun.retrain?.testAccuracy ?? null, chosenBy },
    exportFormat: input.exportModel ? CONET_BUNDLE_FORMAT : null,
    resumedAfterSteps,
    seconds: st.seconds,
    notes,
    evidence,
    ...(lat ? { latency: (({ notes: _n, ...rest }) => rest)(lat) } : {}),
  };
}

export const conetTask: TrainerTask<ConetResult> = trainerTask(CONET_TASK, run);
