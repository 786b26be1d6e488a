/**
 * Trainer task `nb201-one-shot`: SPOS or SE-NAS on the NAS-Bench-201 supernet (./runner.ts),
 * then the search step, the ranking checks against NB201 ground truth when the data is CIFAR-10, and an honest
 * account of the data and schedule used.
 */
import { formatArchStr } from '../../../benchmarks/nb201/arch';
import { NB201_OPS } from '../../../benchmarks/nb201/types';
import { BatchStream, trainValidStreams } from '../../../datasets/pipeline';
import { Rng } from '../../../common/rng';
import { gridSpace } from '../../../search/common/space';
import { CheckpointCorruptError } from '../../../trainer/checkpoint-file';
import { ResumableTask, fingerprintOf } from '../../../trainer/resumable';
import type { Evidence } from '../../../jobs/evidence';
import { BackendChoice, selectBackend } from '../../../trainer/engine/backend';
import { SnapshotAverage } from '../../../trainer/engine/weight-averaging';
import { Sgd, exportState, importState } from '../../../trainer/engine/train-loop';
import { ChildEvaluator } from './child-eval';
import { FinalSearch, searchFinalSpace } from './final-search';
import { GROUND_TRUTH_METRIC, GroundTruth, Nb201Record, RankingCheck } from './ground-truth';
import { OneShotInput, parseOneShotInput } from './input';
import { CheckSetName, RunState, StageRecord, initialState, replayExpansions, runStages, stageEpochs, trainingStages, withStageWeights } from './runner';
import { OpSpace, opSpaceSize, enumerateOpSpace } from '../../../search/spaces/op-space';
import { Nb201Supernet } from '../../../trainer/supernet/nb201-supernet';
import { firstImages, loadDatasetRef } from '../../../datasets/dataset-ref';
import { TaskContext, TrainerTask, trainerTask } from '../../../trainer/tasks/task';
import { NB201_ONE_SHOT_TASK } from '../tasks';
import { firstBatches } from '../../../trainer/engine/fixed-batches';

/** Seed of the fixed full-space sample of the correlation check (a): the same archs for every job. */
export const CORRELATION_SAMPLE_SEED = 201;
const CHECKPOINT_FORMAT = 'nb201-one-shot/3'; // /2: the meta carries childrenEvaluated; /3: state.checks

/** A ranking check of the supernet against NB201 ground truth at the end of a block of epochs, with its data. */
export interface StageRankingCheck extends RankingCheck {
  block: number;
  epochs: number;
  set: CheckSetName;
  spaceSize: number;
  /** The archs and the supernet accuracies the coefficients were computed from. */
  archs: string[];
  supernetAccuracies: number[];
  groundTruth: number[];
}

export interface OneShotCorrelation {
  /**
   * Table 1: the fixed seeded sample of the whole space (seed CORRELATION_SAMPLE_SEED), scored by the SPOS supernet at
   * the end of training, or by the SE-NAS supernet at the end of stage 1 (still the whole space).
   */
  fullSpaceSample: RankingCheck | null;
  /**
   * Figs. 7-8: at the end of each block of epochsPerStage epochs. SE-NAS: a seeded sample (or all) of the archs of the
   * space it trained in that stage (stage 1: the full-space sample). SPOS: the full-space sample, and the archs given
   * in compareArchs (SE-NAS's archs of that stage, scored by SPOS at equal epochs).
   */
  perStage: StageRankingCheck[];
  /** Archs evaluated by the final search. */
  finalSpace: RankingCheck | null;
  note: string;
}

export interface OneShotResult {
  method: OneShotInput['method'];
  backend: BackendChoice;
  /** The searched arch: best child of the final space by supernet accuracy. */
  arch: string;
  ops: number[];
  supernetAccuracy: number;
  /** Operators left on each edge e0..e5 (names). */
  survivingOperators: string[][];
  stages: StageRecord[];
  search: FinalSearch;
  /** NB201 record of the searched arch, when the data is CIFAR-10. */
  benchmarkRecord: Nb201Record | null;
  correlation: OneShotCorrelation;
  schedule: {
    C: number; N: number; epochsPerStage: number; trainingStages: number; totalEpochs: number; steps: number; batchSize: number; lr: number;
    trainImages: number; evalImages: number; imageShape: [number, number, number]; dataset: string; datasetSource: string; shortened: true; description: string;
  };
  imagesPerSecond: number;
  trainSeconds: number;
  childrenEvaluated: number;
  resumedFromStep: number | null;
  notes: string[];
  evidence: Evidence;
}

/** `m` archs of the space drawn uniformly without replacement by a seeded Rng (all of them when it has at most m). */
export function sampleOpSpace(space: OpSpace, m: number, seed: number): number[][] {
  const size = opSpaceSize(space);
  if (size <= m) return enumerateOpSpace(space);
  return Rng.fromSeed(seed)
    .sampleIndices(size, m)
    .map((i) => {
      const ops = new Array<number>(space.length);
      for (let e = space.length - 1; e >= 0; e--) {
        ops[e] = space[e][i % space[e].length];
        i = Math.floor(i / space[e].length);
      }
      return ops;
    });
}

/**
 * The checkpoint meta is JSON, which writes +Infinity scores (Eq. 7 with SC = 0) and NaN SIs (unsampled operators) as
 * null: restore them so that a resumed run's records equal the uninterrupted run's.
 */
function reviveState(st: RunState): RunState {
  for (const r of st.records) {
    for (const x of r.scores ?? []) {
      if (x.score === null) x.score = Number.POSITIVE_INFINITY;
      if (x.si === null) x.si = Number.NaN;
    }
    for (const x of r.removed ?? []) if (x.score === null) x.score = Number.POSITIVE_INFINITY;
  }
  return st;
}

async function run(ctx: TaskContext): Promise<OneShotResult> {
  const input = parseOneShotInput(ctx.input);
  const backend = await selectBackend();
  const ds = loadDatasetRef(input.dataset);
  const trainAll = firstImages(ds.train, input.maxTrainImages);
  const augment = { cropPadding: input.cropPadding, horizontalFlip: input.horizontalFlip };
  const streams = trainValidStreams(trainAll, { validFraction: input.validFraction, seed: input.seed, batchSize: input.batchSize, evalBatchSize: 256, augment });
  const valid = streams.valid as BatchStream;
  const recalStream = new BatchStream(trainAll, { indices: streams.split.train, batchSize: input.batchSize, seed: input.seed + 1, stats: streams.stats, shuffle: true });
  const imageShape: [number, number, number] = [trainAll.height, trainAll.width, trainAll.channels];
  const net = new Nb201Supernet({ channels: input.C, cellsPerStage: input.N, inputShape: imageShape, numClasses: ds.numClasses, seed: input.seed });
  const evaluator = new ChildEvaluator(net, firstBatches(recalStream, input.recalBatches), firstBatches(valid, Infinity, input.evalImages));
  const { truth, reason } = GroundTruth.forDataset(input.dataset, input.benchmarkDir);
  const grid = gridSpace(6, NB201_OPS.length);
  const fullSpaceSample = Rng.fromSeed(CORRELATION_SAMPLE_SEED).sampleIndices(grid.size, input.correlationSample).map((i) => grid.opsOf(i).slice());
  // the benchmark folder is where ground truth is read, not a parameter of the run
  const { benchmarkDir: _where, ...params } = input;
  const checkpoints = new ResumableTask<RunState & { childrenEvaluated?: number }>(CHECKPOINT_FORMAT, fingerprintOf({ ...params, dataset: ds.source, trainImages: trainAll.count }));
  const notes: string[] = [];

  let st: RunState = initialState(input);
  let pending: Record<string, ArrayLike<number>> | null = null;
  /** Children evaluated by earlier attempts up to the checkpoint resumed from (the evaluator counts this process only). */
  let childrenBefore = 0;
  const resumed = checkpoints.resume(ctx.resumeFrom, notes, (r) => {
    const children = r.state.childrenEvaluated;
    if (!Number.isInteger(children) || (children as number) < 0) throw new CheckpointCorruptError('checkpoint has no childrenEvaluated count');
    replayExpansions(net, reviveState(r.state));
    pending = r.arrays;
    childrenBefore = children as number;
  });
  if (resumed) st = reviveState(resumed);
  const resumedFromStep: number | null = resumed ? st.totalStep : null;
  const newSgd = (): Sgd => {
    net.set(st.space.map((o) => o[0]));
    return new Sgd(net, { momentum: input.momentum, weightDecay: input.weightDecay, nesterov: input.nesterov });
  };
  try {
    const finalSnaps = await runStages(
      {
        ctx, input, net, train: streams.train, evaluator,
        checkSets(block, space) {
          if (!truth || input.correlationSample === 0) return [];
          const full: { set: CheckSetName; what: string; archs: number[][] } = { set: 'full-space-sample', what: `fixed seeded sample of the full space (seed ${CORRELATION_SAMPLE_SEED})`, archs: fullSpaceSample };
          if (input.method === 'spos') {
            const cmp = input.compareArchs[block - 1];
            return cmp?.length ? [full, { set: 'compare-archs', what: `compareArchs[${block - 1}] (SE-NAS's archs of its stage ${block})`, archs: cmp }] : [full];
          }
          if (opSpaceSize(space) === grid.size) return [full];
          return [{ set: 'current-space', what: `seeded sample of the current space (seed ${CORRELATION_SAMPLE_SEED + block})`, archs: sampleOpSpace(space, input.correlationSample, CORRELATION_SAMPLE_SEED + block) }];
        },
        async checkpoint(state, sgd, snaps) {
          const s = snaps?.export();
          const arrays: Record<string, Float32Array | Float64Array> = { ...exportState(net, sgd) };
          for (const [k, v] of Object.entries(s?.sums ?? {})) arrays[`s:${k}`] = v;
          st = state;
          await ctx.writeCheckpoint(checkpoints.encode({ ...state, snapshotCounts: s?.counts ?? {}, childrenEvaluated: childrenBefore + evaluator.count }, arrays), state.totalStep, state.stage * stageEpochs(input) + state.epoch + state.batchInEpoch / streams.train.batchesPerEpoch);
        },
        resumeStage(state) {
          const sgd = newSgd();
          if (!pending) return { sgd, snaps: null };
          const arrays = pending;
          pending = null;
          try {
            importState(net, sgd, arrays);
          } catch (e) {
            throw new CheckpointCorruptError(`checkpoint ${ctx.resumeFrom?.path}: ${(e as Error).message}`);
          }
          const sums: Record<string, Float64Array> = {};
          for (const [k, v] of Object.entries(arrays)) if (k.startsWith('s:')) sums[k.slice(2)] = v as Float64Array;
          return { sgd, snaps: Object.keys(sums).length ? SnapshotAverage.restore(sums, state.snapshotCounts) : null };
        },
      },
      st,
    );
    const boundary = (): Promise<void> => ctx.boundary();
    ctx.progress({ step: st.totalStep, epoch: st.epoch, loss: null, throughput: 0, fraction: 1, message: `searching the final space`, detail: { stage: st.stage, space: st.space } });
    const search = await withStageWeights(net, finalSnaps, () =>
      searchFinalSpace(st.space, (ops) => evaluator.accuracy(ops, boundary), { maxEnumerate: input.maxEnumerate, queries: input.searchQueries, seed: input.seed }),
    );
    return buildResult();

    function buildResult(): OneShotResult {
      const totalEpochs = trainingStages(input) * stageEpochs(input);
      const trainImages = streams.split.train.length;
      const description =
        `SHORTENED schedule on a data subset: supernet trained ${totalEpochs} epoch(s) in ${trainingStages(input)} stage(s) on ${trainImages} ${ds.name} images ` +
        `(C=${input.C}, N=${input.N}, ${imageShape[0]}x${imageShape[1]}); child accuracies on ${evaluator.evalImages} held-out images. ` +
        'Not comparable with the papers\' full-CIFAR-10 supernets; ground truth (when given) is the NB201 table.';
      notes.push(description);
      if (!truth) notes.push(reason);
      const perStage: StageRankingCheck[] = [];
      for (const c of truth ? st.checks : []) {
        const check = truth?.check(c.what, c.archs, c.accuracies);
        if (check && truth) {
          perStage.push({ ...check, block: c.block, epochs: c.epochs, set: c.set, spaceSize: c.spaceSize, archs: c.archs.map(formatArchStr), supernetAccuracies: c.accuracies, groundTruth: c.archs.map((o) => truth.accuracy(o)) });
        }
      }
      const fullChecks = perStage.filter((c) => c.set === 'full-space-sample');
      const table1 = input.method === 'spos' ? fullChecks[fullChecks.length - 1] : fullChecks.find((c) => c.block === 1);
      const fullSpaceCheck: RankingCheck | null = table1 ? { what: table1.what, truth: table1.truth, n: table1.n, kendallTau: table1.kendallTau, spearmanRho: table1.spearmanRho, pearsonR: table1.pearsonR, topK: table1.topK, ci: table1.ci } : null;
      const finalCheck = truth ? truth.check(`archs of the final space (${search.how})`, search.evaluated.map((c) => c.ops), search.evaluated.map((c) => c.accuracy)) : null;
      const when = input.method === 'se-nas' ? 'the SE-NAS supernet at the end of stage 1 (full space, before any shrinking)' : 'the SPOS supernet at the end of training';
      return {
        method: input.method, backend, arch: formatArchStr(search.best.ops), ops: search.best.ops, supernetAccuracy: search.best.accuracy,
        survivingOperators: st.space.map((ops) => ops.map((o) => NB201_OPS[o])), stages: st.records, search,
        benchmarkRecord: truth ? truth.record(search.best.ops) : null,
        correlation: {
          fullSpaceSample: fullSpaceCheck, perStage, finalSpace: finalCheck,
          note: truth ? `full-space sample (seed ${CORRELATION_SAMPLE_SEED}) scored by ${when}; perStage at the end of each block of ${input.epochsPerStage} epoch(s)` : reason,
        },
        schedule: {
          C: input.C, N: input.N, epochsPerStage: input.epochsPerStage, trainingStages: trainingStages(input), totalEpochs, steps: st.totalStep,
          batchSize: input.batchSize, lr: input.lr, trainImages, evalImages: evaluator.evalImages, imageShape, dataset: ds.name, datasetSource: ds.source,
          shortened: true, description,
        },
        imagesPerSecond: st.trainSeconds > 0 ? st.imagesSeen / st.trainSeconds : 0, trainSeconds: st.trainSeconds,
        childrenEvaluated: childrenBefore + evaluator.count, resumedFromStep, notes,
        evidence: {
          evaluation: 'supernet',
          description:
            `${input.method === 'se-nas' ? 'SE-NAS' : 'SPOS'} supernet trained in this job; every child is estimated by its supernet accuracy ` +
            `(inherited weights, BN recalibrated) on ${evaluator.evalImages} held-out images, not trained stand-alone.` + (truth ? '' : ` ${reason}.`),
          data: { dataset: ds.name, source: ds.source, trainImages, evalImages: evaluator.evalImages, subset: true },
          schedule: { epochs: totalEpochs, shortened: true, description },
          backend: { name: backend.name, reason: backend.reason },
          groundTruth: truth
            ? {
                benchmark: GROUND_TRUTH_METRIC,
                comparison: 'ranking correlation of supernet accuracy against the benchmark (a: fixed full-space sample, b: final space), and the regret of the searched arch',
                figures: {
                  kendallTauFullSpaceSample: fullSpaceCheck?.kendallTau ?? null,
                  kendallTauFinalSpace: finalCheck?.kendallTau ?? null,
                  regret: truth.record(search.best.ops).regret,
                },
              }
            : null,
        },
      };
    }
  } finally {
    net.dispose();
  }
}

export const nb201OneShot: TrainerTask<OneShotResult> = trainerTask(NB201_ONE_SHOT_TASK, run);
