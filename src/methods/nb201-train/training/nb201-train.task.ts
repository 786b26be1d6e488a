/**
 * Trainer task `nb201-train`: trains one NAS-Bench-201 cell network (src/trainer/nb201/model.ts) from scratch on a
 * builtin dataset with SGD (momentum, Nesterov, weight decay), a cosine schedule with linear warm-up and optional
 * label smoothing, on the backend selectBackend() picks. Reports progress every few steps, writes a checkpoint
 * (weights, momentum buffers, BN running statistics, stream position, curves) every K steps and at every epoch end,
 * and resumes exactly from one: an interrupted run ends with bit-identical weights to an uninterrupted one.
 * The result says plainly when the schedule is shorter than NB201's (200 epochs on the full data).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { UnprocessableError } from '../../../common/errors';
import { BatchStream, trainValidStreams } from '../../../datasets/pipeline';
import { BackendChoice, selectBackend } from '../../../trainer/engine/backend';
import { writeFileAtomic } from '../../../trainer/checkpoint-file';
import { encodeNb201Model, loadNb201Model } from '../../../trainer/nb201/model-file';
import { ResumableTask } from '../../../trainer/resumable';
import type { Evidence } from '../../../jobs/evidence';
import { Nb201Network } from '../../../trainer/nb201/model';
import { parseNb201TrainInput } from './input';
import { Sgd, evaluate, exportState, importState, learningRate } from '../../../trainer/engine/train-loop';
import { WeightEma, prefixed, withWeights } from '../../../trainer/engine/weight-averaging';
import { TaskContext, TrainerTask, trainerTask } from '../../../trainer/tasks/task';
import { NB201_TRAIN_TASK } from '../tasks';
import { firstImages, loadDatasetRef } from '../../../datasets/dataset-ref';
import { ProgressWindow } from '../../../trainer/engine/progress-window';

/** NB201's own training schedule (Dong & Yang 2020, Sec. 3.2 / Table 3), for the honesty note. */
export const NB201_FULL_SCHEDULE = { epochs: 200, batchSize: 256, lr: 0.1, momentum: 0.9, weightDecay: 5e-4, nesterov: true };

export interface Nb201EpochRecord {
  epoch: number;
  /** Mean (label-smoothed) training loss over the epoch's steps. */
  trainLoss: number;
  /** Accuracy on the held-out valid split with BN in eval mode; null when validFraction is 0. */
  validAccuracy: number | null;
  lrAtEnd: number;
}

export interface Nb201TrainResult {
  backend: BackendChoice;
  arch: string;
  C: number;
  N: number;
  params: number;
  dataset: string;
  datasetSource: string;
  numClasses: number;
  imageShape: [number, number, number];
  schedule: {
    epochs: number;
    steps: number;
    batchSize: number;
    trainImages: number;
    validImages: number;
    testImages: number;
    lr: number;
    warmupEpochs: number;
    momentum: number;
    weightDecay: number;
    nesterov: boolean;
    labelSmoothing: number;
    /** EMA decay of the weights (0 = no EMA). */
    emaDecay: number;
    /** Images per forward/backward chunk (gradient accumulated; BN statistics per chunk when < batchSize). */
    microBatch: number;
    augment: { cropPadding: number; horizontalFlip: boolean };
    /** True unless this is NB201's schedule (200 epochs) on the full dataset. */
    shortened: boolean;
    description: string;
  };
  curve: Nb201EpochRecord[];
  testAccuracy: number;
  testLoss: number;
  /** Test accuracy with the EMA of the weights (null without EMA). */
  emaTestAccuracy: number | null;
  imagesPerSecond: number;
  trainSeconds: number;
  resumedFromStep: number | null;
  /** SHA-256 of every parameter and BN running statistic (float32): equal hashes = identical models. */
  weightsSha256: string;
  /** SHA-256 of the model file training started from (input.initWeights), or null for the seeded init. */
  initWeightsSha256: string | null;
  notes: string[];
  evidence: Evidence;
}

interface TrainState {
  step: number;
  /** Completed epochs. */
  epoch: number;
  /** Batches of the current epoch already done. */
  batchInEpoch: number;
  epochLossSum: number;
  epochLossCount: number;
  curve: Nb201EpochRecord[];
  imagesSeen: number;
  trainSeconds: number;
}

const CHECKPOINT_FORMAT = 'nb201-train/1';

function weightsHash(net: Nb201Network): string {
  const h = createHash('sha256');
  for (const v of [...net.params, ...net.buffers]) {
    const a = v.variable.dataSync() as Float32Array;
    h.update(v.name);
    h.update(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  }
  return h.digest('hex');
}

async function run(ctx: TaskContext): Promise<Nb201TrainResult> {
  const input = parseNb201TrainInput(ctx.input);
  const backend = await selectBackend();
  const ds = loadDatasetRef({ kind: 'builtin', name: input.dataset, dataDir: input.dataDir });
  const trainAll = firstImages(ds.train, input.maxTrainImages);
  const test = firstImages(ds.test, input.maxTestImages);
  const augment = { cropPadding: input.cropPadding, horizontalFlip: input.horizontalFlip };
  const streams = trainValidStreams(trainAll, { validFraction: input.validFraction, seed: input.seed, batchSize: input.batchSize, evalBatchSize: 256, augment });
  const train = streams.train;
  const testStream = new BatchStream(test, { indices: Uint32Array.from({ length: test.count }, (_, i) => i), batchSize: 256, seed: input.seed, stats: streams.stats, shuffle: false });
  const stepsPerEpoch = train.batchesPerEpoch;
  const totalSteps = stepsPerEpoch * input.epochs;
  const schedule = { baseLr: input.lr, minLr: 0, totalSteps, warmupSteps: Math.round(input.warmupEpochs * stepsPerEpoch) };
  const imageShape: [number, number, number] = [trainAll.height, trainAll.width, trainAll.channels];
  const net = new Nb201Network({ ops: input.ops, channels: input.C, cellsPerStage: input.N, inputShape: imageShape, numClasses: ds.numClasses, seed: input.seed });
  const sgd = new Sgd(net, { momentum: input.momentum, weightDecay: input.weightDecay, nesterov: input.nesterov });
  const ema = input.emaDecay > 0 ? new WeightEma(input.emaDecay) : null;
  try {
    let initWeightsSha256: string | null = null;
    if (input.initWeights) {
      loadNb201Model(input.initWeights, net, { arch: input.arch, C: input.C, N: input.N, numClasses: ds.numClasses, imageShape });
      initWeightsSha256 = createHash('sha256').update(readFileSync(input.initWeights)).digest('hex');
    }
    const checkpoints = new ResumableTask<TrainState>(CHECKPOINT_FORMAT, {
      arch: input.arch, C: input.C, N: input.N, dataset: ds.source, trainImages: trainAll.count, validFraction: input.validFraction,
      batchSize: input.batchSize, epochs: input.epochs, seed: input.seed, lr: input.lr, warmupEpochs: input.warmupEpochs,
      momentum: input.momentum, weightDecay: input.weightDecay, nesterov: input.nesterov, labelSmoothing: input.labelSmoothing, emaDecay: input.emaDecay,
      cropPadding: input.cropPadding, horizontalFlip: input.horizontalFlip, microBatch: Math.min(input.microBatch, input.batchSize),
      ...(initWeightsSha256 === null ? {} : { initWeights: initWeightsSha256 }),
    });
    const notes: string[] = [];
    let st: TrainState = { step: 0, epoch: 0, batchInEpoch: 0, epochLossSum: 0, epochLossCount: 0, curve: [], imagesSeen: 0, trainSeconds: 0 };
    const resumed = checkpoints.resume(ctx.resumeFrom, notes, (r) => {
      importState(net, sgd, r.arrays);
      if (ema) ema.restore(prefixed(r.arrays, 'e:'));
    });
    if (resumed) st = resumed;
    const resumedFromStep: number | null = resumed ? st.step : null;
    const save = (): Uint8Array => {
      const arrays: Record<string, Float32Array> = exportState(net, sgd);
      if (ema) for (const [k, v] of ema.weights()) arrays[`e:${k}`] = v;
      return checkpoints.encode(st, arrays);
    };
    const window = new ProgressWindow();
    const report = (message: string): void => {
      ctx.progress({ step: st.step, epoch: st.epoch + st.batchInEpoch / stepsPerEpoch, ...window.take(), fraction: totalSteps ? st.step / totalSteps : 1, message });
    };
    report(resumedFromStep === null ? `training ${input.arch} C=${input.C} N=${input.N} on ${backend.name}: ${input.epochs} epochs x ${stepsPerEpoch} steps` : `resumed at step ${resumedFromStep}`);

    while (st.epoch < input.epochs) {
      for (const batch of train.epoch(st.epoch, st.batchInEpoch)) {
        await ctx.boundary();
        const lr = learningRate(st.step, schedule);
        const t0 = performance.now();
        const loss = sgd.step(batch, lr, input.labelSmoothing, input.microBatch);
        ema?.update(net.params);
        if (!Number.isFinite(loss)) throw new UnprocessableError(`training diverged at step ${st.step + 1} (loss ${loss}); use a smaller lr than ${input.lr}`);
        st.trainSeconds += (performance.now() - t0) / 1000;
        const n = batch.shape[0];
        st.step++;
        st.batchInEpoch = batch.batchIndex + 1;
        st.epochLossSum += loss * n;
        st.epochLossCount += n;
        st.imagesSeen += n;
        window.add(loss, 1, n);
        if (st.step % input.progressEvery === 0) report(`epoch ${st.epoch + 1}/${input.epochs}, step ${st.step}/${totalSteps}, lr ${lr.toPrecision(3)}`);
        if (st.step % input.checkpointEvery === 0 && st.batchInEpoch < stepsPerEpoch) {
          await ctx.writeCheckpoint(save(), st.step, st.epoch + st.batchInEpoch / stepsPerEpoch);
        }
      }
      const valid = streams.valid ? await evaluate(net, streams.valid, () => ctx.boundary()) : null;
      st.curve.push({
        epoch: st.epoch + 1,
        trainLoss: st.epochLossSum / st.epochLossCount,
        validAccuracy: valid ? valid.accuracy : null,
        lrAtEnd: learningRate(Math.max(0, st.step - 1), schedule),
      });
      st.epoch++;
      st.batchInEpoch = 0;
      st.epochLossSum = 0;
      st.epochLossCount = 0;
      await ctx.writeCheckpoint(save(), st.step, st.epoch);
      const last = st.curve[st.curve.length - 1];
      report(`epoch ${st.epoch}/${input.epochs} done: train loss ${last.trainLoss.toFixed(4)}${valid ? `, valid accuracy ${(valid.accuracy * 100).toFixed(2)}%` : ''}`);
    }

    await ctx.boundary();
    const t = await evaluate(net, testStream, () => ctx.boundary());
    window.reset();
    report(`evaluated on ${t.images} test images: accuracy ${(t.accuracy * 100).toFixed(2)}%`);

    const full = input.maxTrainImages === null || input.maxTrainImages >= ds.train.count;
    const shortened = !(full && input.epochs >= NB201_FULL_SCHEDULE.epochs && input.validFraction === 0 && ds.name !== 'cifar10-subset');
    const validImages = streams.split.valid.length;
    const description = shortened
      ? `SHORTENED schedule on a data subset: ${input.epochs} epoch(s) on ${trainAll.count - validImages} of ${ds.train.count} ${ds.name} training images` +
        ` (NB201 trains ${NB201_FULL_SCHEDULE.epochs} epochs on full CIFAR-10/100 / ImageNet16-120); accuracies are not comparable with NB201's table`
      : `${input.epochs} epochs on all ${ds.train.count} ${ds.name} training images`;
    if (shortened) notes.push(description);
    if (input.maxTestImages !== null && test.count < ds.test.count) notes.push(`test accuracy on the first ${test.count} of ${ds.test.count} test images`);
    if (input.exportModel) {
      const info = { dataset: ds.name, datasetSource: ds.source, testAccuracy: t.accuracy, epochs: input.epochs, seed: input.seed, shortened };
      await writeFileAtomic(input.exportModel, encodeNb201Model(net, { arch: input.arch, C: input.C, N: input.N, numClasses: ds.numClasses, imageShape, info }));
    }
    const evidence: Evidence = {
      evaluation: 'stand-alone-training',
      description: `NB201 cell ${input.arch} (C=${input.C}, N=${input.N}) trained from scratch in this job; accuracy measured on ${test.count} ${ds.name} test images. No ground truth: the NAS-Bench-201 table trains on other data and schedules.`,
      data: {
        dataset: ds.name,
        source: ds.source,
        trainImages: trainAll.count - validImages,
        evalImages: test.count,
        subset: trainAll.count < ds.train.count || test.count < ds.test.count || ds.name === 'cifar10-subset',
      },
      schedule: { epochs: input.epochs, shortened, description },
      backend: { name: backend.name, reason: backend.reason },
      groundTruth: null,
    };
    return {
      backend,
      arch: input.arch,
      C: input.C,
      N: input.N,
      params: net.paramCount(),
      dataset: ds.name,
      datasetSource: ds.source,
      numClasses: ds.numClasses,
      imageShape,
      schedule: {
        epochs: input.epochs,
        steps: st.step,
        batchSize: input.batchSize,
        trainImages: trainAll.count - validImages,
        validImages,
        testImages: test.count,
        lr: input.lr,
        warmupEpochs: input.warmupEpochs,
        momentum: input.momentum,
        weightDecay: input.weightDecay,
        nesterov: input.nesterov,
        labelSmoothing: input.labelSmoothing,
        emaDecay: input.emaDecay,
        microBatch: Math.min(input.microBatch, input.batchSize),
        augment,
        shortened,
        description,
      },
      curve: st.curve,
      testAccuracy: t.accuracy,
      testLoss: t.loss,
      emaTestAccuracy: ema ? (await withWeights(net.params, ema.weights(), () => evaluate(net, testStream, () => ctx.boundary()))).accuracy : null,
      imagesPerSecond: st.trainSeconds > 0 ? st.imagesSeen / st.trainSeconds : 0,
      trainSeconds: st.trainSeconds,
      resumedFromStep,
      weightsSha256: weightsHash(net),
      initWeightsSha256,
      notes,
      evidence,
    };
  } finally {
    sgd.dispose();
    net.dispose();
  }
}

export const nb201Train: TrainerTask<Nb201TrainResult> = trainerTask(NB201_TRAIN_TASK, run);
