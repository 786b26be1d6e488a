import type { TaskHandle } from '../../common/task-handle';
import type { JobContext } from '../../jobs/job-kind';
import type { SearchPoolService } from './search-pool.service';

export type RunPool = <I, O, S>(task: TaskHandle<I, O>, input: I, ctx: JobContext<S, unknown>) => Promise<O>;

/**
 * Runs a pool task on behalf of a job: resumes from the job's checkpoint, forwards progress, persists
 * checkpoints in order, and stops the thread when the job is cancelled.
 */
export function poolRunnerFor(pool: SearchPoolService): RunPool {
  return async <I, O, S>(task: TaskHandle<I, O>, input: I, ctx: JobContext<S, unknown>): Promise<O> => {
    let writes: Promise<void> = Promise.resolve();
    const enqueue = (w: () => Promise<void>): void => {
      writes = writes.then(w).catch(() => undefined);
    };
    const out = await pool.run<I, O>(task, input, {
      checkpoint: ctx.checkpoint,
      signal: ctx.signal,
      onMessage: (m) => {
        if (m.type === 'progress') enqueue(() => ctx.progress({ fraction: m.fraction, phase: m.phase, message: m.message, data: m.data }));
        else enqueue(() => ctx.saveCheckpoint(m.state));
      },
    });
    await writes;
    return out;
  };
}
