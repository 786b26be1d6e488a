/**
 * Trainer task `scalenet-family`: ScaleNet end to end in one trainer process, resumable at every step.
 * 1. Super-supernet training (Eq. 3): per batch one path sampled by HSS (Eq. 1-2) or uniformly, SGD with momentum,
 *    cosine schedule with linear warm-up; or the weights of a given `supernet` artefact (no training).
 * 2. MCEA (Eq. 4-8) with the supernet evaluator (BN recalibrated per path, held-out split), its JSON state
 *    checkpointed, cancellable at every evaluation.
 * 3. Generalisation (Eq. 9; Eq. 23 and 26 as alternatives) to S_{M+1}..S_generaliseTo, exact FLOPs/params.
 * 4. Optionally (retrainEpochs > 0) every member retrained from scratch, scored on the test split and exported as a
 *    TensorFlow.js LayersModel bundle (retrain.ts).
 * The checkpoint holds the phase, the training position, RNG, MCEA state and evaluation cache; weights (and
 * momentum while training). A resumed run yields the same result as an uninterrupted one.
 */
import type { Evidence } from '../../../jobs/evidence';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { UnprocessableError } from '../../../common/errors';
import { firstImages, loadDatasetRef } from '../../../datasets/dataset-ref';
import type { ImageDataset, ImageSplit } from '../../../datasets/formats';
import { BatchStream, channelStats, trainValidStreams } from '../../../datasets/pipeline';
import { Rng, RngState } from '../../../common/rng';
import { CheckpointCorruptError, encodeCheckpoint, readCheckpointFile, writeFileAtomic } from '../../../trainer/checkpoint-file';
import { BackendChoice, selectBackend } from '../../../trainer/engine/backend';
import { ProgressWindow } from '../../../trainer/engine/progress-window';
import { Sgd, exportState, importState, learningRate } from '../../../trainer/engine/train-loop';
import type { TaskContext, TrainerTask } from '../../../trainer/tasks/task';
import { estimateF0, F0Estimate } from '../science/budgets';
import { networkCost } from '../science/cost';
import { Generalisation, GeneralisationKind, generalise } from '../science/generalise';
import { pathSampler } from '../science/hss';
import { IterationRecord, MceaConfig, MceaProblem, MceaState, budgetViolation, mceaConfig, runMcea } from '../science/mcea';
import { LatencyTable, LatencyTableSummary, latencyTableSummary, MissingLatencyEntryError, parseLatencyTable } from '../../../search/spaces/cost';
import { checkLatencyReach, pathLatencyMs } from '../science/latency';
import { generatePath } from '../science/path';
import { checkReach, extremeBases, familyProblem } from '../science/problem';
import { BaseModel, ScaleNetPath, ScaleNetPreset, ScalingSpace, ScalingStrategy, pathKey } from '../science/space';
import { SupernetEvaluator } from './evaluator';
import { ScaleNetFamilyInput, parseScaleNetFamilyInput } from './input';
import { MemberRetrain, RetrainState, freshRetrainState, retrainMembers } from './retrain';
import { ScaleNetSupernet } from './super-supernet';
import { firstBatches } from '../../../trainer/engine/fixed-batches';

const CHECKPOINT_FORMAT = 'scalenet-family/1';
export const SUPERNET_FILE_FORMAT = 'scalenet-supernet/1';
export const SUPERNET_MEDIA_TYPE = 'application/vnd.nas.checkpoint';

interface RunState {
  phase: 'train' | 'search' | 'retrain';
  epoch: number;
  batchInEpoch: number;
  step: number;
  rng: RngState;
  trainSeconds: number;
  imagesSeen: number;
  epochLossSum: number;
  epochLossCount: number;
  epochLosses: number[];
  budgets: number[];
  f0Estimate: F0Estimate | null;
  mcea: MceaState | null;
  evalCache: Record<string, number>;
  searchSeconds: number;
  evalImagesForwarded: number;
  pathsEvaluated: number;
  /** Retraining position (phase 'retrain'); absent in checkpoints of earlier versions. */
  retrain?: RetrainState | null;
}

export interface FamilyBlock {
  expand: number;
  kernel: number;
  se: boolean;
}

export interface FamilyMember {
  stage: number;
  /** Searched by MCEA (j <= M) or generalised (j > M). */
  origin: 'searched' | 'generalised';
  d: number;
  w: number;
  r: number;
  /** Blocks per MBConv stage (after Eq. 28). */
  blocksPerStage: number[];
  /** Every block of every stage (extra blocks copy the stage's last). */
  blocks: FamilyBlock[][];
  /** Output channels: stem, stages 1..7, head (Eq. 29; the head's are not scaled). */
  channels: { stem: number; stages: number[]; head: number };
  resolution: number;
  flops: number;
  params: number;
  /** f_j (2^j f0 beyond M). */
  budget: number;
  withinBudget: boolean;
  /** Held-out accuracy by the supernet (BN recalibrated); null when the path lies outside the supernet. */
  supernetAccuracy: number | null;
  retrainedAccuracy: number | null;
  /** LUT-predicted latency (ms) on the table's backend; null without a latency budget or beyond the table. */
  latencyMs?: number | null;
  /** l_j (2^j l0 beyond M); null without a latency budget. */
  latencyBudgetMs?: number | null;
  withinLatencyBudget?: boolean | null;
}

/** The latency side of a result: budgets and where the LUT was measured. */
export interface ScaleNetLatencyResult extends LatencyTableSummary {
  budgetsMs: number[];
  mode: 'max';
  /** Whether the FLOPs budgets were enforced too (only when the spec gave them). */
  flopsEnforced: boolean;
  /** LUT latency of each stage's fastest path (smallest base model at its smallest strategy). */
  fastestMs: number[];
}

export interface ScaleNetFamilyResult {
  preset: { name: string; doc: string; inChannels: number; classes: number; resolution: number };
  dataset: { name: string; source: string; imageShape: [number, number, number]; trainImages: number; evalImages: number };
  backend: BackendChoice;
  budgets: { source: 'monte-carlo' | 'f0' | 'list'; list: number[]; mode: string; tolerance: number; f0Estimate: F0Estimate | null };
  base: BaseModel;
  family: FamilyMember[];
  strategies: { searched: ScalingStrategy[]; generalised: ScalingStrategy[]; kind: GeneralisationKind; fits: Partial<Record<GeneralisationKind, Generalisation['fits']>>; notes: string[] };
  mcea: { config: MceaConfig; weighted: number; evaluations: number; history: IterationRecord[] };
  supernet: {
    trained: boolean; fromFile: boolean; sampler: string; eta: number[]; epochs: number; steps: number; batchSize: number; lr: number;
    warmupSteps: number; params: number; epochLosses: number[]; imagesPerSecond: number;
    /** SHA-256 of the supernet's trainable weights that MCEA searched with. */
    weightsSha256: string;
  };
  searchCost: { wallSeconds: number; trainSeconds: number; searchSeconds: number; trainImages: number; evalImagesForwarded: number; pathsEvaluated: number; backend: string };
  evidence: Evidence;
  /** Retraining from scratch (retrainEpochs > 0): schedule and every member's test accuracy; null when not asked. */
  retrain: RetrainSummary | null;
  resumedFrom: { phase: string; step: number } | null;
  notes: string[];
  /** Latency budgets (spec.maxLatencyMs) and their LUT; absent without them. */
  latency?: ScaleNetLatencyResult;
}

export interface RetrainSummary {
  epochs: number;
  lr: number;
  batchSize: number;
  trainImages: number;
  testImages: number;
  augment: string;
  shortened: boolean;
  description: string;
  seconds: number;
  members: MemberRetrain[];
}

async function run(ctx: TaskContext): Promise<ScaleNetFamilyResult> {
  const wall0 = performance.now();
  const input = parseScaleNetFamilyInput(ctx.input);
  const backend = await selectBackend();
  const ds = loadDatasetRef(input.dataset);
  const trainAll = firstImages(ds.train, input.maxTrainImages);
  const imageShape: [number, number, number] = [trainAll.height, trainAll.width, trainAll.channels];
  const problem = familyProblem({ ...input }, 'input.', { inChannels: trainAll.channels, classes: ds.numClasses });
  const { preset, space } = problem;
  const streams = trainValidStreams(trainAll, { validFraction: input.validFraction, seed: input.seed, batchSize: input.batchSize, evalBatchSize: 64 });
  if (!streams.valid) throw new UnprocessableError('input.validFraction leaves no held-out image');
  const recalStream = new BatchStream(trainAll, { indices: streams.split.train, batchSize: input.batchSize, seed: input.seed + 1, stats: streams.stats, shuffle: true });
  const net = new ScaleNetSupernet(preset, space, input.seed);
  const notes: string[] = [];
  const fingerprint = JSON.stringify({ ...input, exportSupernet: null, exportFamily: null, exportMembers: null, dataset: ds.source, trainImages: trainAll.count });
  const stepsPerEpoch = streams.train.batchesPerEpoch;
  const totalSteps = input.supernetFile ? 0 : input.epochs * stepsPerEpoch;
  const warmupSteps = Math.round(input.warmupEpochs * stepsPerEpoch);
  const mcfg = mceaConfig(input.M, { T: input.T, K: input.K, P: input.P, N: input.N, pi: problem.pi, tolerance: input.tolerance, budgetMode: input.budgetMode, seed: input.seed });
  try {
    let st: RunState | null = null;
    let arrays: Record<string, ArrayLike<number>> | null = null;
    let resumedFrom: ScaleNetFamilyResult['resumedFrom'] = null;
    if (ctx.resumeFrom) {
      try {
        const c = readCheckpointFile(ctx.resumeFrom.path);
        if (c.meta.format !== CHECKPOINT_FORMAT || c.meta.fingerprint !== fingerprint) throw new CheckpointCorruptError('checkpoint was written for another input');
        st = c.meta.state as RunState;
        arrays = c.arrays;
        resumedFrom = { phase: st.phase, step: st.step };
      } catch (e) {
        if (!(e instanceof CheckpointCorruptError)) throw e;
        notes.push(`checkpoint unusable (${e.message}); started afresh`);
      }
    }
    if (!st) st = freshState(input, problem.budgets, preset, ctx);
    checkReach(preset, space, st.budgets, input.budgetMode, input.tolerance, 'input.budgets');

    const sgd = new Sgd(net, { momentum: input.momentum, weightDecay: input.weightDecay, nesterov: false });
    const state = st;
    const checkpoint = async (extra: Record<string, Float32Array> = {}): Promise<void> => {
      const a = state.phase === 'train' ? exportState(net, sgd) : { ...net.exportWeights(), ...extra };
      const step = state.step + (state.mcea?.evaluations ?? 0) + (state.retrain?.totalSteps ?? 0) + (state.retrain?.done.length ?? 0);
      await ctx.writeCheckpoint(encodeCheckpoint({ meta: { format: CHECKPOINT_FORMAT, fingerprint, state }, arrays: a }), step, state.epoch);
    };
    try {
      if (arrays) {
        try {
          if (st.phase === 'train') importState(net, sgd, arrays);
          else net.importWeights(arrays);
        } catch (e) {
          throw new CheckpointCorruptError(`checkpoint ${ctx.resumeFrom?.path}: ${(e as Error).message}`);
        }
      } else if (input.supernetFile) {
        loadSupernetFile(net, input, ds.numClasses, trainAll.channels);
        st.phase = 'search';
      }
      if (st.phase === 'train') await train(ctx, input, net, sgd, streams.train, st, { totalSteps, warmupSteps, stepsPerEpoch, eta: problem.eta, checkpoint });
    } finally {
      sgd.dispose();
    }
    if (st.phase === 'train') {
      st.phase = 'search';
      await checkpoint();
    }
    if (input.exportSupernet && !input.supernetFile) await writeSupernetFile(net, input, preset.classes, trainAll.channels, st, input.exportSupernet);

    // 2. MCEA with the supernet evaluator (it changes BN statistics only, recalibrating them per path)
    const weightsSha256 = net.weightsSha256();
    const evaluator = new SupernetEvaluator(net, firstBatches(recalStream, input.recalBatches), firstBatches(streams.valid, Infinity, input.evalImages), new Map(Object.entries(st.evalCache)));
    const boundary = (): Promise<void> => ctx.boundary();
    const evaluate = (p: { base: BaseModel; strategy: ScalingStrategy }): Promise<number> => evaluator.accuracy(p, boundary);
    const lat = problem.latencyBudgets ? latencySetup(input, preset, space, problem.latencyBudgets) : null;
    const mceaProblem: MceaProblem = { preset, space, budgets: st.budgets, ...(lat ? { latency: { budgetsMs: lat.budgetsMs, predict: lat.predict }, flopsConstrained: input.budgets !== null } : {}) };
    let lastCheckpoint = performance.now();
    let t0 = performance.now();
    const account = (): void => {
      const now = performance.now();
      state.searchSeconds += (now - t0) / 1000;
      t0 = now;
      state.evalImagesForwarded += evaluator.imagesForwarded;
      state.pathsEvaluated += evaluator.evaluated;
      evaluator.imagesForwarded = 0;
      evaluator.evaluated = 0;
      state.evalCache = Object.fromEntries(evaluator.cache);
    };
    const totalMceaSteps = input.M + input.T * (input.N + 1 + input.M);
    const searchSpan = input.retrainEpochs > 0 ? 0.25 : 0.5;
    const { result: mres } = await runMcea(mceaProblem, mcfg, evaluate, {
      state: st.mcea ?? undefined,
      onStep: async (s) => {
        state.mcea = s;
        account();
        const done = s.phase === 'done' ? totalMceaSteps : s.phase === 'init' ? s.stage - 1 : input.M + (s.t - 1) * (input.N + 1 + input.M) + (s.phase === 'base' ? s.gen : input.N + 1 + s.stage - 1);
        ctx.progress({
          step: state.step, epoch: state.epoch, loss: null, throughput: 0, fraction: Math.min(0.99, 0.5 + (searchSpan * done) / totalMceaSteps),
          message: `MCEA ${s.phase} t=${s.t}/${input.T}${s.phase === 'base' ? ` generation ${s.gen}/${input.N}` : ` stage ${s.stage}`}: ${s.evaluations} evaluations`,
          detail: { phase: 'search', mceaPhase: s.phase, t: s.t, gen: s.gen, evaluations: s.evaluations, strategies: s.strategies },
        });
        if ((performance.now() - lastCheckpoint) / 1000 >= (input.searchCheckpointSeconds ?? 15) || s.phase === 'done') {
          await checkpoint();
          lastCheckpoint = performance.now();
        }
      },
    });
    if (!mres) throw new Error('MCEA stopped before it finished');
    account();

    // 3. generalisation and the family table
    const kinds: GeneralisationKind[] = input.M >= 2 ? ['exponential', 'linear', 'quadratic'] : ['linear'];
    const chosen: GeneralisationKind = kinds.includes(input.generalisation) ? input.generalisation : 'linear';
    if (chosen !== input.generalisation) notes.push(`M = ${input.M}: Eq. 9 and Eq. 26 have two free parameters per dimension and need M >= 2; the family is generalised by Eq. 23 (linear).`);
    const fits: Partial<Record<GeneralisationKind, Generalisation['fits']>> = {};
    let primary: Generalisation | null = null;
    for (const k of kinds) {
      const g = generalise(mres.strategies, k, Math.max(input.generaliseTo, input.M));
      fits[k] = g.fits;
      if (k === chosen) primary = g;
    }
    const gen = primary as Generalisation;
    const f0 = st.budgets[0];
    const family: FamilyMember[] = [];
    for (let j = 0; j < gen.strategies.length; j++) {
      const S = gen.strategies[j];
      const c = generatePath(preset, mres.alpha, S);
      const cost = networkCost(c);
      const budget = j <= input.M ? st.budgets[j] : 2 ** j * f0;
      let acc: number | null = j <= input.M ? mres.accs[j] : null;
      if (acc === null) {
        try {
          acc = await evaluate({ base: mres.alpha, strategy: S });
        } catch (e) {
          if (!(e instanceof RangeError)) throw e;
          if (!notes.some((n) => n.startsWith('generalised members beyond'))) notes.push(`generalised members beyond the supernet's largest path (${(e as Error).message}) have no supernet accuracy`);
        }
      }
      family.push({
        stage: j, origin: j <= input.M ? 'searched' : 'generalised', d: S.d, w: S.w, r: S.r,
        blocksPerStage: c.stages.map((s) => s.blocks.length),
        blocks: c.stages.map((s) => s.blocks.map((b) => ({ expand: b.expand, kernel: b.kernel, se: b.se }))),
        channels: { stem: c.stem.cout, stages: c.stages.map((s) => s.cout), head: c.head.cout },
        resolution: c.resolution, flops: cost.flops, params: cost.params, budget,
        withinBudget: budgetViolation(cost.flops, budget, input.budgetMode, input.tolerance) === 0,
        supernetAccuracy: acc, retrainedAccuracy: null,
        ...(lat ? lat.member(mres.alpha, S, j <= input.M ? lat.budgetsMs[j] : 2 ** j * lat.budgetsMs[0], notes) : {}),
      });
    }
    account();

    // 4. retraining from scratch and export (optional)
    let retrain: RetrainSummary | null = null;
    if (input.retrainEpochs > 0) {
      if (st.phase !== 'retrain' || !st.retrain) {
        st.phase = 'retrain';
        st.retrain = freshRetrainState();
        await checkpoint();
      }
      retrain = await retrainFamily(ctx, input, { preset, space, family, alpha: mres.alpha, strategies: gen.strategies, trainAll, ds, imageShape }, st.retrain, arrays, checkpoint);
      for (const m of retrain.members) family[m.stage].retrainedAccuracy = m.testAccuracy;
      notes.push(retrain.description);
    }
    const evalImages = evaluator.evalImages;
    const trainImages = streams.split.train.length;
    const description =
      `PROXY evidence with a SHORTENED schedule: accuracies are the super-supernet's (BN recalibrated per path on ${input.recalBatches} training batches) on ` +
      `${evalImages} held-out images of ${ds.name} (${imageShape.join('x')}), after ${input.supernetFile ? 'the given supernet artefact' : `${input.epochs} epoch(s) of super-supernet training on ${trainImages} images`}; ` +
      `preset ${preset.name} (${preset.doc.split(':')[0]}), MCEA T=${input.T} K=${input.K} P=${input.P} N=${input.N}. Not comparable with the paper's ImageNet results (350 epochs, retrained members).`;
    const result: ScaleNetFamilyResult = {
      preset: { name: preset.name, doc: preset.doc, inChannels: preset.inChannels, classes: preset.classes, resolution: preset.resolution },
      dataset: { name: ds.name, source: ds.source, imageShape, trainImages, evalImages },
      backend,
      budgets: { source: input.budgets?.list ? 'list' : input.budgets?.f0 !== undefined ? 'f0' : 'monte-carlo', list: st.budgets, mode: input.budgetMode, tolerance: input.tolerance, f0Estimate: st.f0Estimate },
      base: mres.alpha,
      family,
      strategies: { searched: mres.strategies, generalised: gen.strategies.slice(input.M + 1), kind: gen.kind, fits, notes: [] },
      mcea: { config: mcfg, weighted: mres.weighted, evaluations: mres.evaluations, history: mres.history },
      supernet: {
        trained: !input.supernetFile, fromFile: !!input.supernetFile, sampler: input.sampler, eta: problem.eta, epochs: input.supernetFile ? 0 : input.epochs, steps: st.step,
        batchSize: input.batchSize, lr: input.lr, warmupSteps, params: net.paramCount(), epochLosses: st.epochLosses,
        imagesPerSecond: st.trainSeconds > 0 ? st.imagesSeen / st.trainSeconds : 0, weightsSha256,
      },
      searchCost: {
        wallSeconds: (performance.now() - wall0) / 1000, trainSeconds: st.trainSeconds, searchSeconds: st.searchSeconds, trainImages: st.imagesSeen,
        evalImagesForwarded: st.evalImagesForwarded, pathsEvaluated: st.pathsEvaluated, backend: backend.name,
      },
      retrain,
      evidence: {
        evaluation: 'supernet',
        description,
        data: { dataset: ds.name, source: ds.source, trainImages, evalImages, subset: true },
        schedule: { epochs: input.supernetFile ? null : input.epochs, shortened: true, description: `${input.epochs} super-supernet epoch(s) on a proxy dataset; the paper trains 350 epochs on ImageNet and retrains members` },
        backend: { name: backend.name, reason: backend.reason },
        groundTruth: null,
      },
      resumedFrom,
      notes: [...notes, description],
      ...(lat ? { latency: lat.result } : {}),
    };
    if (lat) result.notes.push(lat.result.provenance);
    if (resumedFrom) result.notes.push('wallSeconds counts this attempt only; trainSeconds and searchSeconds add up every attempt');
    if (input.exportFamily) {
      fs.mkdirSync(path.dirname(input.exportFamily), { recursive: true });
      await writeFileAtomic(input.exportFamily, Buffer.from(JSON.stringify({ format: 'scalenet-model-family/1', ...familyDocument(result) }, null, 2)));
    }
    return result;
  } finally {
    net.dispose();
  }
}

/** The LUT predictor of a job with latency budgets (cached per path), the reach check and the result's latency part. */
function latencySetup(input: ScaleNetFamilyInput, preset: ScaleNetPreset, space: ScalingSpace, budgetsMs: number[]) {
  let table: LatencyTable;
  try {
    table = parseLatencyTable(JSON.parse(fs.readFileSync(input.latencyTableFile as string, 'utf8')));
  } catch (e) {
    throw new UnprocessableError(`input.latencyTableFile cannot be read: ${(e as Error).message}`);
  }
  const cache = new Map<string, number>();
  const predict = (p: ScaleNetPath): number => {
    const key = pathKey(p);
    let ms = cache.get(key);
    if (ms === undefined) {
      ms = pathLatencyMs(table, preset, p);
      if (cache.size > 200_000) cache.clear();
      cache.set(key, ms);
    }
    return ms;
  };
  const fastestMs = checkLatencyReach(space, budgetsMs, predict, 'spec.maxLatencyMs', extremeBases(preset).min);
  const result: ScaleNetLatencyResult = {
    budgetsMs, mode: 'max', flopsEnforced: input.budgets !== null, fastestMs, ...latencyTableSummary(table),
  };
  const member = (base: BaseModel, S: ScalingStrategy, budget: number, notes: string[]): Pick<FamilyMember, 'latencyMs' | 'latencyBudgetMs' | 'withinLatencyBudget'> => {
    try {
      const ms = predict({ base, strategy: S });
      return { latencyMs: ms, latencyBudgetMs: budget, withinLatencyBudget: ms <= budget };
    } catch (e) {
      if (!(e instanceof MissingLatencyEntryError)) throw e;
      if (!notes.some((n) => n.startsWith('latency: generalised'))) notes.push(`latency: generalised members outside the table's scaling stages have no LUT latency (${e.message})`);
      return { latencyMs: null, latencyBudgetMs: budget, withinLatencyBudget: null };
    }
  };
  return { budgetsMs, predict, member, result };
}

/** The `model-family` artefact's content: what a user needs to build every member. */
export function familyDocument(r: ScaleNetFamilyResult): Record<string, unknown> {
  return { preset: r.preset, dataset: r.dataset, budgets: r.budgets, base: r.base, strategies: r.strategies, family: r.family, evidence: r.evidence };
}

function freshState(input: ScaleNetFamilyInput, budgets: number[] | null, preset: ScaleNetFamilyResult['preset'] & Parameters<typeof estimateF0>[0], ctx: TaskContext): RunState {
  let list = budgets;
  let f0Estimate: F0Estimate | null = null;
  if (!list) {
    ctx.progress({ step: 0, epoch: 0, loss: null, throughput: 0, fraction: 0, message: `estimating f0 from ${input.f0Samples} base paths (appendix A)`, detail: { phase: 'budgets' } });
    f0Estimate = estimateF0(preset, Rng.fromSeed(input.seed + 17), input.f0Samples);
    list = Array.from({ length: input.M + 1 }, (_, j) => 2 ** j * (f0Estimate as F0Estimate).f0);
  }
  return {
    phase: 'train', epoch: 0, batchInEpoch: 0, step: 0, rng: Rng.fromSeed(input.seed + 1000).state(), trainSeconds: 0, imagesSeen: 0,
    epochLossSum: 0, epochLossCount: 0, epochLosses: [], budgets: list, f0Estimate, mcea: null, evalCache: {}, searchSeconds: 0, evalImagesForwarded: 0, pathsEvaluated: 0,
  };
}

interface TrainPlan {
  totalSteps: number;
  warmupSteps: number;
  stepsPerEpoch: number;
  eta: number[];
  checkpoint(): Promise<void>;
}

/** Eq. 3: per batch, one path by the sampler; SGD with momentum under a cosine schedule with linear warm-up. */
async function train(ctx: TaskContext, input: ScaleNetFamilyInput, net: ScaleNetSupernet, sgd: Sgd, stream: BatchStream, st: RunState, plan: TrainPlan): Promise<void> {
  const sample = pathSampler(net.preset, net.space, input.sampler, { eta: plan.eta });
  const schedule = { baseLr: input.lr, minLr: 0, totalSteps: plan.totalSteps, warmupSteps: plan.warmupSteps };
  const rng = Rng.fromState(st.rng);
  const window = new ProgressWindow();
  while (st.epoch < input.epochs) {
    for (const batch of stream.epoch(st.epoch, st.batchInEpoch)) {
      await ctx.boundary();
      const p = sample(rng);
      net.set(p);
      const t0 = performance.now();
      const loss = sgd.step(batch, learningRate(st.step, schedule), 0);
      if (!Number.isFinite(loss)) throw new UnprocessableError(`super-supernet training diverged at step ${st.step + 1} (loss ${loss}); use a smaller lr than ${input.lr}`);
      st.trainSeconds += (performance.now() - t0) / 1000;
      const n = batch.shape[0];
      st.step++;
      st.batchInEpoch = batch.batchIndex + 1;
      st.epochLossSum += loss * n;
      st.epochLossCount += n;
      st.imagesSeen += n;
      st.rng = rng.state();
      window.add(loss, 1, n);
      if (st.step % input.progressEvery === 0) {
        ctx.progress({
          step: st.step, epoch: st.epoch + st.batchInEpoch / plan.stepsPerEpoch, ...window.take(), fraction: (0.5 * st.step) / plan.totalSteps,
          message: `super-supernet epoch ${st.epoch + 1}/${input.epochs}, step ${st.step}/${plan.totalSteps}`,
          detail: { phase: 'train', stage: p.stage, resolution: net.concrete().resolution },
        });
      }
      if (st.step % input.checkpointEvery === 0 && st.batchInEpoch < plan.stepsPerEpoch) await plan.checkpoint();
    }
    st.epochLosses.push(st.epochLossSum / Math.max(1, st.epochLossCount));
    st.epoch++;
    st.batchInEpoch = 0;
    st.epochLossSum = 0;
    st.epochLossCount = 0;
    await plan.checkpoint();
  }
}

function supernetMeta(input: ScaleNetFamilyInput, classes: number, channels: number): Record<string, unknown> {
  return { format: SUPERNET_FILE_FORMAT, preset: input.preset, M: input.M, classes, inChannels: channels };
}

async function writeSupernetFile(net: ScaleNetSupernet, input: ScaleNetFamilyInput, classes: number, channels: number, st: RunState, file: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const meta = { ...supernetMeta(input, classes, channels), sampler: input.sampler, epochs: input.epochs, steps: st.step, seed: input.seed };
  await writeFileAtomic(file, encodeCheckpoint({ meta, arrays: net.exportWeights() }));
}

/** Loads a `supernet` artefact; 422 naming input.supernetFile when it was trained for another preset, M or data shape. */
function loadSupernetFile(net: ScaleNetSupernet, input: ScaleNetFamilyInput, classes: number, channels: number): void {
  let c;
  try {
    c = readCheckpointFile(input.supernetFile as string);
  } catch (e) {
    throw new UnprocessableError(`input.supernetFile cannot be read: ${(e as Error).message}`);
  }
  const want = supernetMeta(input, classes, channels);
  for (const [k, v] of Object.entries(want)) {
    if (c.meta[k] !== v) throw new UnprocessableError(`input.supernetFile: the supernet has ${k} ${JSON.stringify(c.meta[k])}, this job needs ${JSON.stringify(v)}`);
  }
  try {
    net.importWeights(c.arrays);
  } catch (e) {
    throw new UnprocessableError(`input.supernetFile: ${(e as Error).message}`);
  }
}

export const scaleNetFamilyTask: TrainerTask<ScaleNetFamilyResult> = { name: 'scalenet-family', run };

interface FamilyToRetrain {
  preset: ScaleNetPreset;
  space: ScalingSpace;
  family: FamilyMember[];
  alpha: BaseModel;
  strategies: ScalingStrategy[];
  trainAll: ImageSplit;
  ds: ImageDataset;
  imageShape: [number, number, number];
}

/** Step 4: every member from scratch on all training images (held-out split included), scored on the test split. */
async function retrainFamily(
  ctx: TaskContext,
  input: ScaleNetFamilyInput,
  f: FamilyToRetrain,
  st: RetrainState,
  arrays: Record<string, ArrayLike<number>> | null,
  checkpoint: (extra: Record<string, Float32Array>) => Promise<void>,
): Promise<RetrainSummary> {
  const all = Uint32Array.from({ length: f.trainAll.count }, (_, i) => i);
  const stats = channelStats(f.trainAll, all);
  const isCifar = input.dataset.kind === 'builtin' && input.dataset.name === 'cifar10-subset';
  const augment = isCifar ? { cropPadding: 4, horizontalFlip: true } : { cropPadding: 0, horizontalFlip: false };
  const train = new BatchStream(f.trainAll, { indices: all, batchSize: input.batchSize, seed: input.seed + 2, stats, augment });
  const testSplit = firstImages(f.ds.test, input.maxTestImages);
  const test = new BatchStream(testSplit, { indices: Uint32Array.from({ length: testSplit.count }, (_, i) => i), batchSize: 64, seed: input.seed, stats, shuffle: false });
  const augmentDoc = isCifar ? 'random crop (padding 4) and horizontal flip' : 'none';
  const description =
    `SHORTENED retraining: each member S0..S${f.family.length - 1} trained from scratch for ${input.retrainEpochs} epoch(s) on ${f.trainAll.count} training images of ${f.ds.name} ` +
    `(SGD momentum ${input.momentum}, peak lr ${input.retrainLr}, cosine, batch ${input.batchSize}, augmentation: ${augmentDoc}), test accuracy on ${testSplit.count} test images; ` +
    `the paper retrains on ImageNet for 350 epochs.`;
  const members = await retrainMembers(
    ctx,
    {
      preset: f.preset, space: f.space, epochs: input.retrainEpochs, lr: input.retrainLr, momentum: input.momentum, weightDecay: input.weightDecay, seed: input.seed,
      train, test, stats, imageShape: f.imageShape, exportDir: input.exportMembers, checkpointEvery: input.checkpointEvery, progressEvery: input.progressEvery,
      fraction: [0.75, 0.99], description,
      members: f.family.map((m) => ({
        stage: m.stage, path: { base: f.alpha, strategy: f.strategies[m.stage] },
        info: { stage: m.stage, origin: m.origin, d: m.d, w: m.w, r: m.r, blocksPerStage: m.blocksPerStage, blocks: m.blocks, channels: m.channels, resolution: m.resolution, flops: m.flops, params: m.params },
      })),
    },
    st,
    arrays,
    checkpoint,
  );
  return {
    epochs: input.retrainEpochs, lr: input.retrainLr, batchSize: input.batchSize, trainImages: f.trainAll.count, testImages: testSplit.count, augment: augmentDoc,
    shortened: true, description, seconds: members.reduce((n, m) => n + m.seconds, 0), members,
  };
}
