/**
 * The one-shot supernet search on NAS-Bench-201, as a resumable sequence of stages:
 * - SPOS (Guo et al. 2020): one training stage of uniform single-path sampling over the full space.
 * - SE-NAS (Hu et al. 2021): `stages` shrinking stages, each training the current space, evaluating sampled
 *   children with snapshot-averaged weights (Eq. 4), scoring operators (Eqs. 5-7), removing the k lowest and
 *   merging layer-wise spaces into groups with independent weights (expanding); then a final training stage.
 * Every stage has its own cosine schedule. State (weights, momentum, BN statistics, snapshot sums, RNG, space,
 * stage records) is checkpointed every K steps and at every epoch and stage end, and resumes exactly.
 */
import { performance } from 'node:perf_hooks';
import { UnprocessableError } from '../../../common/errors';
import type { BatchStream } from '../../../datasets/pipeline';
import { Rng, RngState } from '../../../common/rng';
import { OpSpace, fullOpSpace, opSpaceSize, stratifiedChildren } from '../../../search/spaces/op-space';
import { OperatorScore, ScoredChild, ScoringRule, mergeLayerSpaces, scoreOperators, shrink } from '../science/scores';
import { SnapshotAverage, withWeights } from '../../../trainer/engine/weight-averaging';
import { Sgd, learningRate } from '../../../trainer/engine/train-loop';
import type { Nb201Supernet } from '../../../trainer/supernet/nb201-supernet';
import { ProgressWindow } from '../../../trainer/engine/progress-window';
import type { TaskContext } from '../../../trainer/tasks/task';
import type { ChildEvaluator } from './child-eval';
import type { OneShotInput } from './input';

export interface StageRecord {
  stage: number;
  epochs: number;
  /** Ops per edge trained in this stage. */
  space: number[][];
  /** Edge groups with independent weights per partial model during this stage. */
  weightGroups: number[][];
  /** Mean training loss of the stage's last epoch. */
  lastEpochLoss: number;
  /** Snapshots averaged for this stage's evaluations (Eq. 4). */
  snapshotsAveraged: number;
  /**
   * Shrinking stages only, enough to recompute the removals: the rule, k and T; the sampled children (ops, accuracy);
   * per operator SI (Eq. 5), its edge's SC (Eq. 6) and the score (Eq. 7 for 'se-nas'; null in JSON = +Infinity);
   * the removed operators, the space after shrinking and the merged groups (expanding).
   */
  scoring?: ScoringRule;
  k?: number;
  T?: number;
  children?: ScoredChild[];
  scores?: OperatorScore[];
  removed?: Array<{ edge: number; op: number; score: number }>;
  shrunkSpace?: number[][];
  mergedGroups?: number[][];
  newVariables?: number;
}

/** Supernet accuracies of a set of archs, measured at the end of block `block` (= epochs block x epochsPerStage). */
export interface StageCheck {
  /** 1-based: SE-NAS stage `block`, or SPOS after block x epochsPerStage epochs (equal epochs). */
  block: number;
  /** Supernet training epochs done when measured. */
  epochs: number;
  /** Which archs: 'full-space-sample' | 'current-space' | 'compare-archs'. */
  set: CheckSetName;
  what: string;
  /** Archs in the space trained at that moment. */
  spaceSize: number;
  archs: number[][];
  accuracies: number[];
}

export type CheckSetName = 'full-space-sample' | 'current-space' | 'compare-archs';

export interface RunState {
  stage: number;
  epoch: number;
  batchInEpoch: number;
  stageStep: number;
  totalStep: number;
  rng: RngState;
  space: number[][];
  /** Every expand() so far, replayed on resume to recreate the weight copies. */
  expansions: Array<{ groups: number[][]; space: number[][] }>;
  records: StageRecord[];
  epochLossSum: number;
  epochLossCount: number;
  /** Ranking checks measured so far (supernet accuracies of check archs at the end of each block of epochsPerStage epochs). */
  checks: StageCheck[];
  trainSeconds: number;
  imagesSeen: number;
  snapshotCounts: Record<string, number>;
}

export interface RunEnv {
  ctx: TaskContext;
  input: OneShotInput;
  net: Nb201Supernet;
  train: BatchStream;
  evaluator: ChildEvaluator;
  /** Arch sets to score at the end of block `block` for the ranking checks (none without ground truth). */
  checkSets(block: number, space: OpSpace): Array<{ set: CheckSetName; what: string; archs: number[][] }>;
  /** Writes a checkpoint of the state (with the Sgd and snapshot sums of the moment). */
  checkpoint(st: RunState, sgd: Sgd, snaps: SnapshotAverage | null): Promise<void>;
  /** The Sgd and snapshot sums of a resumed stage (from the checkpoint), or fresh ones. */
  resumeStage(st: RunState): { sgd: Sgd; snaps: SnapshotAverage | null };
}

export function trainingStages(input: OneShotInput): number {
  return input.method === 'spos' ? 1 : input.stages + 1;
}

export function stageEpochs(input: OneShotInput): number {
  return input.method === 'spos' ? (input.stages + 1) * input.epochsPerStage : input.epochsPerStage;
}

export function initialState(input: OneShotInput): RunState {
  return {
    stage: 0, epoch: 0, batchInEpoch: 0, stageStep: 0, totalStep: 0, rng: Rng.fromSeed(input.seed).state(),
    space: fullOpSpace(6, 5), expansions: [], records: [], epochLossSum: 0, epochLossCount: 0,
    checks: [], trainSeconds: 0, imagesSeen: 0, snapshotCounts: {},
  };
}

/** Steps (1-based positions within the last epoch) after which a snapshot is taken: K evenly spaced, the last at the end. */
function snapshotSteps(stepsPerEpoch: number, k: number): Set<number> {
  return new Set(Array.from({ length: Math.min(k, stepsPerEpoch) }, (_, j) => Math.round(((j + 1) * stepsPerEpoch) / Math.min(k, stepsPerEpoch))));
}

/** Runs (or resumes) every training stage; returns the snapshot average of the last stage (null without averaging). */
export async function runStages(env: RunEnv, st: RunState): Promise<SnapshotAverage | null> {
  const { ctx, input, net, train } = env;
  const stages = trainingStages(input);
  const epochs = stageEpochs(input);
  const stepsPerEpoch = train.batchesPerEpoch;
  const totalSteps = stages * epochs * stepsPerEpoch;
  const useSnapshots = input.method === 'se-nas' && input.snapshots > 1;
  const window = new ProgressWindow();
  const report = (message: string, extra: Record<string, unknown> = {}): void => {
    ctx.progress({
      step: st.totalStep, epoch: st.epoch + st.batchInEpoch / stepsPerEpoch, ...window.take(), fraction: Math.min(1, st.totalStep / totalSteps),
      message, detail: { stage: st.stage, stages, surviving: st.space.map((o) => o.length).reduce((a, b) => a + b, 0), space: st.space, ...extra },
    });
  };

  let finalSnaps: SnapshotAverage | null = null;
  while (st.stage < stages) {
    const { sgd, snaps: resumedSnaps } = env.resumeStage(st);
    let snaps = resumedSnaps;
    const schedule = { baseLr: input.lr, minLr: 0, totalSteps: epochs * stepsPerEpoch, warmupSteps: 0 };
    const rng = Rng.fromState(st.rng);
    const snapAt = snapshotSteps(stepsPerEpoch, input.snapshots);
    try {
      report(`stage ${st.stage + 1}/${stages}: training ${opSpaceSize(st.space)} archs for ${epochs} epoch(s)`);
      while (st.epoch < epochs) {
        const lastEpoch = st.epoch === epochs - 1;
        if (lastEpoch && useSnapshots && !snaps) snaps = new SnapshotAverage();
        for (const batch of train.epoch(epochSeed(st), st.batchInEpoch)) {
          await ctx.boundary();
          net.sample(rng, st.space);
          const t0 = performance.now();
          const loss = sgd.step(batch, learningRate(st.stageStep, schedule), 0, input.microBatch);
          if (!Number.isFinite(loss)) throw new UnprocessableError(`supernet training diverged at step ${st.totalStep + 1} (loss ${loss}); use a smaller lr than ${input.lr}`);
          st.trainSeconds += (performance.now() - t0) / 1000;
          const n = batch.shape[0];
          st.stageStep++;
          st.totalStep++;
          st.batchInEpoch = batch.batchIndex + 1;
          st.epochLossSum += loss * n;
          st.epochLossCount += n;
          st.imagesSeen += n;
          st.rng = rng.state();
          window.add(loss, 1, n);
          if (lastEpoch && snaps && snapAt.has(st.batchInEpoch)) snaps.add(net.params);
          if (st.totalStep % input.progressEvery === 0) report(`stage ${st.stage + 1}/${stages}, epoch ${st.epoch + 1}/${epochs}, step ${st.totalStep}/${totalSteps}`);
          if (st.totalStep % input.checkpointEvery === 0 && st.batchInEpoch < stepsPerEpoch) await env.checkpoint(st, sgd, snaps);
        }
        st.epoch++;
        st.batchInEpoch = 0;
        const lastEpochLoss = st.epochLossSum / Math.max(1, st.epochLossCount);
        st.epochLossSum = 0;
        st.epochLossCount = 0;
        if (st.epoch === epochs) st.records.push(emptyRecord(st, epochs, lastEpochLoss, snaps));
        if (st.epoch % input.epochsPerStage === 0) await measureChecks(env, st, snaps, report);
        await env.checkpoint(st, sgd, snaps);
        report(`stage ${st.stage + 1}/${stages}, epoch ${st.epoch}/${epochs} done: train loss ${lastEpochLoss.toFixed(4)}`);
      }
      window.reset();
      await afterStage(env, st, snaps, report);
      finalSnaps = snaps;
    } finally {
      sgd.dispose();
    }
    st.stage++;
    st.epoch = 0;
    st.batchInEpoch = 0;
    st.stageStep = 0;
    if (st.stage < stages) {
      const next = env.resumeStage(st);
      await env.checkpoint(st, next.sgd, null);
      next.sgd.dispose();
    }
  }
  return finalSnaps;
}

/** Epoch number handed to the stream: distinct across stages so every stage sees fresh shuffles. */
function epochSeed(st: RunState): number {
  return st.stage * 100_000 + st.epoch;
}

function emptyRecord(st: RunState, epochs: number, lastEpochLoss: number, snaps: SnapshotAverage | null): StageRecord {
  const groups = st.expansions.length ? st.expansions[st.expansions.length - 1].groups : st.space.map((_, e) => [e]);
  return { stage: st.stage, epochs, space: st.space.map((o) => o.slice()), weightGroups: groups, lastEpochLoss, snapshotsAveraged: snaps?.size ?? 1 };
}

/** The averaged weights of the stage's last epoch (Eq. 4) swapped in around `fn`, or the current weights. */
export async function withStageWeights<T>(net: Nb201Supernet, snaps: SnapshotAverage | null, fn: () => Promise<T>): Promise<T> {
  return snaps && snaps.size > 1 ? withWeights(net.params, snaps.mean(), fn) : fn();
}

/**
 * The ranking checks at the end of a block of epochsPerStage epochs (Figs. 7-8): SE-NAS scores with the stage's
 * (snapshot-averaged) weights; SPOS with its current weights at the same epoch count. Runs before the epoch-end
 * checkpoint, so a run killed here redoes it on resume.
 */
async function measureChecks(env: RunEnv, st: RunState, snaps: SnapshotAverage | null, report: (m: string, extra?: Record<string, unknown>) => void): Promise<void> {
  const { input, ctx, net, evaluator } = env;
  const block = env.input.method === 'spos' ? st.epoch / input.epochsPerStage : st.stage + 1;
  const sets = env.checkSets(block, st.space);
  if (!sets.length) return;
  const boundary = (): Promise<void> => ctx.boundary();
  await withStageWeights(net, snaps, async () => {
    for (const s of sets) {
      report(`ranking check after ${block * input.epochsPerStage} epochs: ${s.archs.length} archs (${s.what})`);
      const accuracies: number[] = [];
      for (const ops of s.archs) accuracies.push(await evaluator.accuracy(ops, boundary));
      st.checks.push({ block, epochs: block * input.epochsPerStage, set: s.set, what: s.what, spaceSize: opSpaceSize(st.space), archs: s.archs, accuracies });
    }
  });
}

/** After a SE-NAS shrinking stage's training: score operators, shrink and expand. */
async function afterStage(env: RunEnv, st: RunState, snaps: SnapshotAverage | null, report: (m: string, extra?: Record<string, unknown>) => void): Promise<void> {
  const { input, ctx, net, evaluator } = env;
  const record = st.records[st.records.length - 1];
  const boundary = (): Promise<void> => ctx.boundary();
  const lastStage = st.stage === trainingStages(input) - 1;
  if (input.method !== 'se-nas' || lastStage) return;
  await withStageWeights(net, snaps, async () => {
    const rng = Rng.fromSeed(input.seed + 7919 * (st.stage + 1));
    const children: ScoredChild[] = [];
    const sampled = stratifiedChildren(st.space, input.samplesPerStage, rng);
    for (const [i, ops] of sampled.entries()) {
      children.push({ ops, accuracy: await evaluator.accuracy(ops, boundary) });
      if ((i + 1) % input.progressEvery === 0) report(`stage ${st.stage + 1}: evaluated ${i + 1}/${sampled.length} sampled children`);
    }
    const scores = scoreOperators(children, st.space, input.scoring, rng);
    const { space, removed } = shrink(st.space, scores, input.k);
    const groups = mergeLayerSpaces(space, input.T);
    Object.assign(record, { scoring: input.scoring, k: input.k, T: input.T, children, scores, removed, shrunkSpace: space, mergedGroups: groups });
    st.space = space;
  });
  {
    record.newVariables = net.expand(record.mergedGroups as number[][], st.space);
    st.expansions.push({ groups: record.mergedGroups as number[][], space: st.space.map((o) => o.slice()) });
    report(`stage ${st.stage + 1}: removed ${record.removed?.length ?? 0} operators, ${opSpaceSize(st.space)} archs left`, { removed: record.removed });
  }
}

/** Replays the expansions of a resumed run so that the weight copies exist before the checkpoint is loaded. */
export function replayExpansions(net: Nb201Supernet, st: RunState): void {
  for (const x of st.expansions) net.expand(x.groups, x.space as OpSpace);
}
