/**
 * Trainer task `linear-baseline`: a softmax classifier on per-channel-normalised raw pixels, trained with
 * mini-batch SGD (momentum, weight decay) over seeded shuffles. It reports progress every few steps, writes
 * a checkpoint (weights, momentum buffers, RNG state, epoch, step, loss so far) every K steps and at every
 * epoch end, and resumes exactly from one: an interrupted run ends with bit-identical weights to an
 * uninterrupted run with the same seed. This is a reference baseline for a dataset, not a NAS result.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { UnprocessableError } from '../../../common/errors';
import { CheckpointCorruptError } from '../../../trainer/checkpoint-file';
import { ResumableTask, Resumed } from '../../../trainer/resumable';
import type { Evidence } from '../../../jobs/evidence';
import { parseLinearBaselineInput } from './input';
import { Rng, RngState } from '../../../common/rng';
import { SgdWorkspace, SoftmaxModel, channelNormalisation, createModel, evaluate, gatherBatch, sgdStep } from '../science/softmax-regression';
import { TaskContext, TrainerTask, trainerTask } from '../../../trainer/tasks/task';
import { LINEAR_BASELINE_TASK } from '../tasks';
import { loadDatasetRef } from '../../../datasets/dataset-ref';
import { ProgressWindow } from '../../../trainer/engine/progress-window';

export const LINEAR_BASELINE_MODEL = 'linear softmax baseline on raw pixels (not a NAS result)';

export interface LinearBaselineResult {
  model: typeof LINEAR_BASELINE_MODEL;
  dataset: string;
  datasetSource: string;
  trainImages: number;
  testImages: number;
  numClasses: number;
  /** [height, width, channels] */
  imageShape: [number, number, number];
  epochs: number;
  steps: number;
  batchSize: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  seed: number;
  normalisation: { mean: number[]; std: number[] };
  testAccuracy: number;
  testLoss: number;
  /** Mean training cross-entropy of each epoch (measured during the epoch, with the weights of the moment). */
  trainLoss: number[];
  /** Training images per second over the optimiser steps (all attempts; steps redone after a crash count once). */
  imagesPerSecond: number;
  trainSeconds: number;
  /** Step this run resumed from, or null when it trained from scratch. */
  resumedFromStep: number | null;
  /** SHA-256 of the final weights and biases (float64): equal hashes = identical models. */
  weightsSha256: string;
  notes: string[];
  evidence: Evidence;
}

/** Everything that must match between a checkpoint and the run resuming from it. */
interface TrainState {
  step: number;
  /** Completed epochs. */
  epoch: number;
  /** Batches of the current epoch already done. */
  batchInEpoch: number;
  /** RNG state the current epoch's shuffle was drawn from. */
  rngAtEpochStart: RngState;
  epochLossSum: number;
  epochLossCount: number;
  trainLoss: number[];
  imagesSeen: number;
  trainSeconds: number;
}

const CHECKPOINT_FORMAT = 'linear-baseline/1';
const ARRAYS = ['weights', 'bias', 'vWeights', 'vBias'] as const;

function restoreArrays(r: Resumed<TrainState>, model: SoftmaxModel): void {
  for (const name of ARRAYS) {
    const a = r.arrays[name];
    if (!(a instanceof Float64Array) || a.length !== model[name].length) throw new CheckpointCorruptError(`checkpoint ${r.file}: array ${name} has the wrong shape`);
    model[name].set(a);
  }
}

function weightsHash(model: SoftmaxModel): string {
  const h = createHash('sha256');
  h.update(Buffer.from(model.weights.buffer, model.weights.byteOffset, model.weights.byteLength));
  h.update(Buffer.from(model.bias.buffer, model.bias.byteOffset, model.bias.byteLength));
  return h.digest('hex');
}

async function run(ctx: TaskContext): Promise<LinearBaselineResult> {
  const input = parseLinearBaselineInput(ctx.input);
  const ds = loadDatasetRef(input.dataset);
  const train = ds.train;
  const N = input.maxTrainImages === null ? train.count : Math.min(train.count, input.maxTrainImages);
  const D = train.height * train.width * train.channels;
  const K = ds.numClasses;
  const B = Math.min(input.batchSize, N);
  const stepsPerEpoch = Math.ceil(N / B);
  const totalSteps = stepsPerEpoch * input.epochs;
  const norm = channelNormalisation(train, N);
  const model = createModel(K, D);
  const checkpoints = new ResumableTask<TrainState>(CHECKPOINT_FORMAT, { dataset: ds.source, trainImages: N, dim: D, numClasses: K, batchSize: B, seed: input.seed, epochs: input.epochs });
  const save = (): Uint8Array => checkpoints.encode(st, { weights: model.weights, bias: model.bias, vWeights: model.vWeights, vBias: model.vBias });
  const notes: string[] = [];
  if (N < train.count) notes.push(`trained on the first ${N} of ${train.count} training images (maxTrainImages)`);

  let st: TrainState = {
    step: 0,
    epoch: 0,
    batchInEpoch: 0,
    rngAtEpochStart: Rng.fromSeed(input.seed).state(),
    epochLossSum: 0,
    epochLossCount: 0,
    trainLoss: [],
    imagesSeen: 0,
    trainSeconds: 0,
  };
  const resumed = checkpoints.resume(ctx.resumeFrom, notes, (r) => restoreArrays(r, model), () => {
    for (const name of ARRAYS) model[name].fill(0);
  });
  if (resumed) st = resumed;
  const resumedFromStep: number | null = resumed ? st.step : null;
  const sgd = { lr: input.lr, momentum: input.momentum, weightDecay: input.weightDecay };
  const ws = new SgdWorkspace(B, model);
  const perm = new Uint32Array(N);
  const labels = new Uint8Array(B);
  const window = new ProgressWindow();
  const report = (message: string): void => {
    ctx.progress({ step: st.step, epoch: st.epoch + st.batchInEpoch / stepsPerEpoch, ...window.take(), fraction: totalSteps ? st.step / totalSteps : 1, message });
  };
  report(resumedFromStep === null ? `training ${input.epochs} epochs x ${stepsPerEpoch} steps on ${N} images` : `resumed at step ${resumedFromStep}`);

  while (st.epoch < input.epochs) {
    const rng = Rng.fromState(st.rngAtEpochStart);
    for (let i = 0; i < N; i++) perm[i] = i;
    rng.shuffle(perm);
    for (let b = st.batchInEpoch; b < stepsPerEpoch; b++) {
      await ctx.boundary();
      const t0 = performance.now();
      const idx = perm.subarray(b * B, Math.min(N, (b + 1) * B));
      for (let i = 0; i < idx.length; i++) labels[i] = train.labels[idx[i]];
      gatherBatch(train, idx, norm.lut, ws);
      const lossSum = sgdStep(model, ws, labels.subarray(0, idx.length), sgd);
      if (!Number.isFinite(lossSum)) {
        throw new UnprocessableError(`training diverged at step ${st.step + 1} (loss ${lossSum}); use a smaller lr than ${input.lr}`);
      }
      st.trainSeconds += (performance.now() - t0) / 1000;
      st.step++;
      st.batchInEpoch = b + 1;
      st.epochLossSum += lossSum;
      st.epochLossCount += idx.length;
      st.imagesSeen += idx.length;
      window.add(lossSum, idx.length, idx.length);
      if (st.step % input.progressEvery === 0) report(`epoch ${st.epoch + 1}/${input.epochs}, step ${st.step}/${totalSteps}`);
      if (st.step % input.checkpointEvery === 0 && st.batchInEpoch < stepsPerEpoch) {
        await ctx.writeCheckpoint(save(), st.step, st.epoch + st.batchInEpoch / stepsPerEpoch);
      }
    }
    st.trainLoss.push(st.epochLossSum / st.epochLossCount);
    st.epoch++;
    st.batchInEpoch = 0;
    st.rngAtEpochStart = rng.state();
    st.epochLossSum = 0;
    st.epochLossCount = 0;
    await ctx.writeCheckpoint(save(), st.step, st.epoch);
  }

  if (!window.empty) report(`trained ${st.step} steps; evaluating on ${ds.test.count} test images`);
  await ctx.boundary();
  const test = evaluate(model, ds.test, norm.lut);
  window.reset(); // the evaluation is not a training window
  report(`evaluated on ${ds.test.count} test images: accuracy ${(test.accuracy * 100).toFixed(2)}%`);
  return {
    model: LINEAR_BASELINE_MODEL,
    dataset: ds.name,
    datasetSource: ds.source,
    trainImages: N,
    testImages: ds.test.count,
    numClasses: K,
    imageShape: [train.height, train.width, train.channels],
    epochs: input.epochs,
    steps: st.step,
    batchSize: B,
    lr: input.lr,
    momentum: input.momentum,
    weightDecay: input.weightDecay,
    seed: input.seed,
    normalisation: { mean: norm.mean, std: norm.std },
    testAccuracy: test.accuracy,
    testLoss: test.loss,
    trainLoss: st.trainLoss,
    imagesPerSecond: st.trainSeconds > 0 ? st.imagesSeen / st.trainSeconds : 0,
    trainSeconds: st.trainSeconds,
    resumedFromStep,
    weightsSha256: weightsHash(model),
    notes,
    evidence: {
      evaluation: 'stand-alone-training',
      description: `${LINEAR_BASELINE_MODEL}: trained in this job for ${input.epochs} epoch(s) on ${N} images, accuracy measured on ${ds.test.count} ${ds.name} test images. A reference for the dataset; no ground truth to compare with.`,
      data: { dataset: ds.name, source: ds.source, trainImages: N, evalImages: ds.test.count, subset: N < train.count || ds.name === 'cifar10-subset' },
      schedule: { epochs: input.epochs, shortened: false, description: `${input.epochs} epoch(s) of SGD with momentum (the baseline has no reference schedule)` },
      backend: { name: 'typescript', reason: 'the linear baseline is plain TypeScript on Float64Array (no TensorFlow.js)' },
      groundTruth: null,
    },
  };
}

export const linearBaseline: TrainerTask<LinearBaselineResult> = trainerTask(LINEAR_BASELINE_TASK, run);
