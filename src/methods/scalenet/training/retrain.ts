/**
 * Retraining of the family (Sec. 4: every member is trained from scratch on its own): each member S_j as a
 * stand-alone network (fresh seeded weights at its own shapes), SGD with momentum under a cosine schedule, scored on
 * the dataset's test split, and written as a TensorFlow.js LayersModel bundle (formats.ts). Resumable at every
 * step: the state (member, epoch, batch, finished members) is JSON and the current member's weights and momentum
 * are handed to the caller's checkpoint under the prefix `r.`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { UnprocessableError } from '../../../common/errors';
import type { BatchStream, ChannelStats } from '../../../datasets/pipeline';
import { writeFileAtomic } from '../../../trainer/checkpoint-file';
import { Sgd, evaluate, exportState, importState, learningRate } from '../../../trainer/engine/train-loop';
import { exportArtifacts, layersModelFiles } from '../../../trainer/export/layers-model';
import type { TaskContext } from '../../../trainer/tasks/task';
import type { ScaleNetPath, ScaleNetPreset, ScalingSpace } from '../science/space';
import { SCALENET_MEMBER_FORMAT } from '../formats';
import { scaleNetToLayersModel } from './export-layers';
import { ScaleNetSupernet } from './super-supernet';

export interface MemberRetrain {
  stage: number;
  testAccuracy: number;
  testLoss: number;
  testImages: number;
  /** Mean training loss of every epoch. */
  trainLoss: number[];
  steps: number;
  seconds: number;
  params: number;
  /** The exported bundle (null when the run exports nothing). */
  file: string | null;
}

export interface RetrainState {
  member: number;
  epoch: number;
  batchInEpoch: number;
  step: number;
  lossSum: number;
  lossCount: number;
  epochLosses: number[];
  seconds: number;
  /** Steps of every member so far (checkpoint numbering). */
  totalSteps: number;
  done: MemberRetrain[];
}

export interface RetrainPlan {
  preset: ScaleNetPreset;
  space: ScalingSpace;
  members: Array<{ stage: number; path: ScaleNetPath; info: Record<string, unknown> }>;
  epochs: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  seed: number;
  train: BatchStream;
  test: BatchStream;
  stats: ChannelStats;
  imageShape: [number, number, number];
  /** Folder of the exported bundles S<j>.json; null = none. */
  exportDir: string | null;
  checkpointEvery: number;
  progressEvery: number;
  /** Progress fractions this phase spans. */
  fraction: [number, number];
  /** Extra notes for every bundle's info (what the schedule is). */
  description: string;
}

export const RETRAIN_PREFIX = 'r.';

export function freshRetrainState(): RetrainState {
  return { member: 0, epoch: 0, batchInEpoch: 0, step: 0, lossSum: 0, lossCount: 0, epochLosses: [], seconds: 0, totalSteps: 0, done: [] };
}

/** The current member's training state under the prefix `r.` (for the caller's checkpoint). */
const prefixed = (a: Record<string, Float32Array>): Record<string, Float32Array> => Object.fromEntries(Object.entries(a).map(([k, v]) => [RETRAIN_PREFIX + k, v]));

/** Retrains plan.members from `st` on; `arrays`: a checkpoint's tensors (the `r.` ones resume the current member). */
export async function retrainMembers(
  ctx: TaskContext,
  plan: RetrainPlan,
  st: RetrainState,
  arrays: Record<string, ArrayLike<number>> | null,
  checkpoint: (extra: Record<string, Float32Array>) => Promise<void>,
): Promise<MemberRetrain[]> {
  const stepsPerEpoch = plan.train.batchesPerEpoch;
  const totalSteps = plan.epochs * stepsPerEpoch;
  let resume = arrays && st.step > 0 ? Object.fromEntries(Object.entries(arrays).filter(([k]) => k.startsWith(RETRAIN_PREFIX)).map(([k, v]) => [k.slice(RETRAIN_PREFIX.length), v])) : null;
  while (st.member < plan.members.length) {
    const m = plan.members[st.member];
    const net = ScaleNetSupernet.standalone(plan.preset, plan.space, m.path, plan.seed + 100 + m.stage);
    const sgd = new Sgd(net, { momentum: plan.momentum, weightDecay: plan.weightDecay, nesterov: false });
    const save = (): Promise<void> => checkpoint(prefixed(exportState(net, sgd)));
    try {
      if (resume) {
        importState(net, sgd, resume);
        resume = null;
      }
      const schedule = { baseLr: plan.lr, minLr: 0, totalSteps, warmupSteps: 0 };
      while (st.epoch < plan.epochs) {
        for (const batch of plan.train.epoch(st.epoch, st.batchInEpoch)) {
          await ctx.boundary();
          const t0 = performance.now();
          const loss = sgd.step(batch, learningRate(st.step, schedule), 0);
          if (!Number.isFinite(loss)) throw new UnprocessableError(`retraining S${m.stage} diverged at step ${st.step + 1} (loss ${loss}); use a smaller retrainLr than ${plan.lr}`);
          st.seconds += (performance.now() - t0) / 1000;
          st.step++;
          st.totalSteps++;
          st.batchInEpoch = batch.batchIndex + 1;
          st.lossSum += loss * batch.shape[0];
          st.lossCount += batch.shape[0];
          if (st.step % plan.progressEvery === 0) {
            const [f0, f1] = plan.fraction;
            const done = (st.member + st.step / totalSteps) / plan.members.length;
            ctx.progress({
              step: st.totalSteps, epoch: st.epoch + st.batchInEpoch / stepsPerEpoch, loss, throughput: 0, fraction: f0 + (f1 - f0) * done,
              message: `retraining S${m.stage} (${st.member + 1}/${plan.members.length}) epoch ${st.epoch + 1}/${plan.epochs}, step ${st.step}/${totalSteps}`,
              detail: { phase: 'retrain', stage: m.stage },
            });
          }
          if (st.step % plan.checkpointEvery === 0 && st.batchInEpoch < stepsPerEpoch) await save();
        }
        st.epochLosses.push(st.lossSum / Math.max(1, st.lossCount));
        st.epoch++;
        st.batchInEpoch = 0;
        st.lossSum = 0;
        st.lossCount = 0;
        if (st.epoch < plan.epochs) await save();
      }
      const t0 = performance.now();
      const r = await evaluate(net, plan.test, () => ctx.boundary());
      st.seconds += (performance.now() - t0) / 1000;
      let file: string | null = null;
      if (plan.exportDir) {
        file = path.join(plan.exportDir, `S${m.stage}.json`);
        fs.mkdirSync(plan.exportDir, { recursive: true });
        await writeFileAtomic(file, await memberBundle(net, plan, m, r.accuracy));
      }
      st.done.push({ stage: m.stage, testAccuracy: r.accuracy, testLoss: r.loss, testImages: r.images, trainLoss: st.epochLosses, steps: st.step, seconds: st.seconds, params: net.paramCount(), file });
    } finally {
      sgd.dispose();
      net.dispose();
    }
    Object.assign(st, { ...freshRetrainState(), member: st.member + 1, totalSteps: st.totalSteps, done: st.done });
    await checkpoint({});
  }
  return st.done;
}

async function memberBundle(net: ScaleNetSupernet, plan: RetrainPlan, m: RetrainPlan['members'][number], testAccuracy: number): Promise<Buffer> {
  const model = scaleNetToLayersModel(net, `scalenet_S${m.stage}`);
  try {
    const { modelJson, weights } = layersModelFiles(await exportArtifacts(model));
    const r = net.concrete().resolution;
    const bundle = {
      format: SCALENET_MEMBER_FORMAT,
      stage: m.stage,
      member: m.info,
      numClasses: net.numClasses,
      imageShape: plan.imageShape,
      input: {
        shape: [r, r, plan.imageShape[2]],
        resize: `bilinear to ${r}x${r} (tf.image.resizeBilinear defaults, Eq. 30) when the image is not already ${r}x${r}`,
        normalisation: { mean: plan.stats.mean, std: plan.stats.std },
      },
      modelJson,
      weightsBase64: weights.toString('base64'),
      info: { testAccuracy, epochs: plan.epochs, lr: plan.lr, seed: plan.seed + 100 + m.stage, shortened: true, description: plan.description },
    };
    return Buffer.from(JSON.stringify(bundle));
  } finally {
    model.dispose();
  }
}
