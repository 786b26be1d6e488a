/** What every job kind that trains does with its trainer run: checkpoints, resume point, cancellation, progress. */
import type { JobContext } from '../jobs/job-kind';
import type { TrainerRunOptions } from './supervisor';

export interface TrainerCheckpoint {
  path: string;
  step: number;
  epoch: number;
}

/**
 * Trainer run options for a job: checkpoint files in `checkpointDir` recorded in the job row (so a job whose worker
 * died resumes from the last one), the job's abort signal, and progress forwarded as `phase` events with the step,
 * epoch, loss, throughput and any task detail.
 */
export function trainerRunOptions<S>(ctx: JobContext<S, TrainerCheckpoint>, checkpointDir: string, phase: string): TrainerRunOptions {
  return {
    checkpointDir,
    resumeFrom: ctx.checkpoint?.path ?? null,
    signal: ctx.signal,
    onProgress: (p) => {
      // Progress is best effort (the runner throttles it); a failed write must not stop training.
      ctx
        .progress({ fraction: p.fraction, phase, message: p.message, data: { step: p.step, epoch: p.epoch, loss: p.loss, throughput: p.throughput, ...p.detail } })
        .catch(() => undefined);
    },
    onCheckpoint: (file, step, epoch) => ctx.saveCheckpoint({ path: file, step, epoch }),
  };
}
