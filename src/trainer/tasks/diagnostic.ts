/**
 * Self-test tasks for the trainer boundary, loaded only when the child runs with `--diagnostic-tasks`
 * (tests, operators checking a deployment). They exercise crash, cancel and protocol paths without
 * training anything; they are never reachable from a job spec.
 */
import * as fs from 'node:fs';
import { readCheckpointFile, encodeCheckpoint } from '../checkpoint-file';
import type { TaskContext, TrainerTask } from './task';

interface Obj {
  [k: string]: unknown;
}

function obj(input: unknown): Obj {
  return typeof input === 'object' && input !== null ? (input as Obj) : {};
}

function int(o: Obj, key: string, fallback: number): number {
  const v = o[key];
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fallback;
}

/**
 * Counts to `steps`, checkpointing every `checkpointEvery` steps and resuming from a checkpoint; crashes
 * (process.exit(70)) once on reaching `crashOnceAtStep` if `markerFile` does not exist yet (it creates it
 * first, so the restarted child gets past that step). Result: {steps, resumedFromStep, starts}.
 */
const count: TrainerTask<{ steps: number; resumedFromStep: number | null; sum: number }> = {
  name: 'diagnostic-count',
  async run(ctx: TaskContext) {
    const input = obj(ctx.input);
    const steps = int(input, 'steps', 10);
    const every = Math.max(1, int(input, 'checkpointEvery', 5));
    const crashAt = typeof input.crashOnceAtStep === 'number' ? input.crashOnceAtStep : -1;
    const marker = typeof input.markerFile === 'string' ? input.markerFile : null;
    let step = 0;
    let sum = 0;
    let resumedFromStep: number | null = null;
    if (ctx.resumeFrom) {
      const c = readCheckpointFile(ctx.resumeFrom.path);
      step = c.meta.step as number;
      sum = c.meta.sum as number;
      resumedFromStep = step;
    }
    while (step < steps) {
      await ctx.boundary();
      if (step === crashAt && marker && !fs.existsSync(marker)) {
        fs.writeFileSync(marker, String(process.pid));
        process.exit(70);
      }
      step++;
      sum += step;
      ctx.progress({ step, epoch: 0, loss: null, throughput: 0, fraction: step / steps, message: `step ${step}/${steps}` });
      if (step % every === 0 || step === steps) await ctx.writeCheckpoint(encodeCheckpoint({ meta: { step, sum }, arrays: {} }), step, 0);
    }
    return { steps: step, resumedFromStep, sum };
  },
};

/** Always dies: `mode` exit (code 70), throw (uncaught async exception) or sigkill (kills itself). */
const crash: TrainerTask<never> = {
  name: 'diagnostic-crash',
  async run(ctx: TaskContext) {
    const mode = obj(ctx.input).mode;
    await ctx.boundary();
    if (mode === 'throw') {
      setImmediate(() => {
        throw new Error('diagnostic-crash: uncaught exception');
      });
    } else if (mode === 'sigkill') {
      process.kill(process.pid, 'SIGKILL');
    } else {
      process.exit(70);
    }
    return new Promise<never>(() => undefined);
  },
};

/** Busy-loops for `ms` without a step boundary (ignores cancel): the parent must SIGKILL it. */
const ignoreCancel: TrainerTask<{ spunMs: number }> = {
  name: 'diagnostic-ignore-cancel',
  async run(ctx: TaskContext) {
    const ms = int(obj(ctx.input), 'ms', 10_000);
    ctx.progress({ step: 0, epoch: 0, loss: null, throughput: 0, fraction: 0, message: 'spinning' });
    await new Promise((r) => setTimeout(r, 50)); // let the progress message go out
    const end = Date.now() + ms;
    while (Date.now() < end) {
      // deliberately no boundary
    }
    return { spunMs: ms };
  },
};

/** Waits at step boundaries forever (until cancelled). */
const waitForCancel: TrainerTask<never> = {
  name: 'diagnostic-wait',
  async run(ctx: TaskContext) {
    ctx.progress({ step: 0, epoch: 0, loss: null, throughput: 0, fraction: 0, message: 'waiting for cancel' });
    for (;;) {
      await ctx.boundary();
      await new Promise((r) => setTimeout(r, 5));
    }
  },
};

/** Sends a message that breaks the protocol (a progress with a negative step), then waits. */
const malformed: TrainerTask<never> = {
  name: 'diagnostic-malformed',
  async run(ctx: TaskContext) {
    process.send?.({ type: 'progress', taskId: ctx.taskId, step: -1, epoch: 0, loss: 'high', throughput: 0, fraction: 2, message: 1 });
    for (;;) {
      await ctx.boundary();
      await new Promise((r) => setTimeout(r, 5));
    }
  },
};

/** Throws an ordinary error (a task failure, not a crash: no restart). */
const fail: TrainerTask<never> = {
  name: 'diagnostic-fail',
  async run() {
    throw new RangeError('diagnostic-fail: task failed on purpose');
  },
};

export const DIAGNOSTIC_TASKS: TrainerTask[] = [count, crash, ignoreCancel, waitForCancel, malformed, fail];
