/** The contract between the trainer child process and the tasks in its table. No Nest, no database. */
import type { TaskHandle } from '../../common/task-handle';
import type { ResumeFrom, TrainerProgress } from '../protocol';

export type TaskProgress = TrainerProgress;

export interface TaskContext {
  readonly taskId: string;
  /** Unvalidated input from the parent: each task validates its own (throw InvalidInputError). */
  readonly input: unknown;
  readonly resumeFrom: ResumeFrom | null;
  readonly checkpointDir: string;
  /** Aborted when the parent sends `cancel` (or disconnects). */
  readonly signal: AbortSignal;
  progress(p: TaskProgress): void;
  /**
   * Writes `data` as a checkpoint file atomically (tmp + fsync + rename + directory fsync), then tells the
   * parent. Returns the file path.
   */
  writeCheckpoint(data: Uint8Array, step: number, epoch: number): Promise<string>;
  /**
   * A step boundary: lets queued IPC messages (cancel) in and throws TrainerAbortedError once cancelled.
   * Call it between optimiser steps; it costs one macrotask turn.
   */
  boundary(): Promise<void>;
}

export interface TrainerTask<O = unknown> {
  readonly name: string;
  run(ctx: TaskContext): Promise<O>;
}

/** A trainer task for the table, bound to its handle so that the kind and the child agree on name and types. */
export function trainerTask<I, O>(handle: TaskHandle<I, O>, run: (ctx: TaskContext) => Promise<O>): TrainerTask<O> {
  return { name: handle, run };
}
