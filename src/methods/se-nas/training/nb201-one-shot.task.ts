/**
 * Trainer task `nb201-one-shot`: SPOS or SE-NAS on the NAS-Bench-201 supernet (./runner.ts),
 * then the search step, the ranking checks against NB201 ground truth when the data is CIFAR-10, and an honest
 * account of the data and schedule used.
 */
import { formatArchStr } from '../../../benchmarks/nb201/arch';
import { NB201_OPS } from '../../../benchmarks/nb201/types';
import { BatchStream, trainValidStreams } from '../../../datasets/pipeline';
import { Rng } from '../../../search/common/rng';
import { gridSpace } from '../../../search/common/space';
import { CheckpointCorruptError } from '../../../trainer/checkpoint-file';
import { ResumableTask, fingerprintOf } from '../../../trainer/resumable';
import type { Evidence } from '../../../jobs/evidence';
import { BackendChoice, selectBackend } from '../../../trainer/engine/backend';
import { SnapshotAverage } from '../../../trainer/engine/weight-averaging';
import { Sgd, exportState, importState } from '../../../trainer/engine/train-loop';
import { ChildEvaluator, LabelledBatch } from './child-eval';
import { FinalSearch, searchFinalSpace } from './final-search';
import { GROUND_TRUTH_METRIC, GroundTruth, Nb201Record, RankingCheck } from './ground-truth';
import { OneShotInput, parseOneShotInput } from './input';
import { RunState, StageRecord, initialState, replayExpansions, runStages, stageEpochs, trainingStages, withStageWeights } from './runner';
import { Nb201Supernet } from '../../../trainer/supernet/nb201-supernet';
import { firstImages, loadDatasetRef } from '../../../datasets/dataset-ref';
import { TaskContext, TrainerTask, trainerTask } from '../../../trainer/tasks/task';
import { NB201_ONE_SHOT_TASK } from '../tasks';

/** Seed of the fixed full-space sample of the correlation check (a): the same archs for every job. */
export const CORRELATION_SAMPLE_SEED = 201;
const CHECKPOINT_FORMAT = 'nb201-one-shot/2'; // /2: the meta carries childrenEvaluated

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
  correlation: { fullSpaceSample: RankingCheck | null; finalSpace: RankingCheck | null; note: string };
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

/** The first images of one unshuffled pass of `stream` (at most maxBatches batches and maxImages images), copied. */
function take(stream: BatchStream, maxBatches: number, maxImages = Infinity): LabelledBatch[] {
  const out: LabelledBatch[] = [];
  let n = 0;
  for (const b of stream.epoch(0)) {
    if (out.length >= maxBatches || n >= maxImages) break;
    const k = Math.min(b.shape[0], maxImages - n);
    const size = b.shape[1] * b.shape[2] * b.shape[3];
    out.push({ x: b.x.slice(0, k * size), y: b.y.slice(0, k), shape: [k, b.shape[1], b.shape[2], b.shape[3]] });
    n += k;
  }
  return out;
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
  const evaluator = new ChildEvaluator(net, take(recalStream, input.recalBatches), take(valid, Infinity, input.evalImages));
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
    replayExpansions(net, r.state);
    pending = r.arrays;
    childrenBefore = children as number;
  });
  if (resumed) st = resumed;
  const resumedFromStep: number | null = resumed ? st.totalStep : null;
  const newSgd = (): Sgd => {
    net.set(st.space.map((o) => o[0]));
    return new Sgd(net, { momentum: input.momentum, weightDecay: input.weightDecay, nesterov: input.nesterov });
  };
  try {
    const finalSnaps = await runStages(
      {
        ctx, input, net, train: streams.train, evaluator, fullSpaceSample: truth ? fullSpaceSample : [],
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
      const sampleScores = st.fullSpaceAccuracies ?? [];
      const fullSpaceCheck = truth && sampleScores.length ? truth.check('fixed seeded sample of the full space', fullSpaceSample, sampleScores) : null;
      const finalCheck = truth ? truth.check(`archs of the final space (${search.how})`, search.evaluated.map((c) => c.ops), search.evaluated.map((c) => c.accuracy)) : null;
      const when = input.method === 'se-nas' ? 'the supernet after stage 1 (full space, before any shrinking)' : 'the trained supernet';
      return {
        method: input.method, backend, arch: formatArchStr(search.best.ops), ops: search.best.ops, supernetAccuracy: search.best.accuracy,
        survivingOperators: st.space.map((ops) => ops.map((o) => NB201_OPS[o])), stages: st.records, search,
        benchmarkRecord: truth ? truth.record(search.best.ops) : null,
        correlation: { fullSpaceSample: fullSpaceCheck, finalSpace: finalCheck, note: truth ? `sample (a) scored by ${when}; seed ${CORRELATION_SAMPLE_SEED}` : reason },
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
