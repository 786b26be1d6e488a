import type { TaskHandle } from '../../common/task-handle';

/** Messages a Piscina task sends back to the job runner through its MessagePort. */
export type PoolMessage =
  | { type: 'progress'; fraction: number; phase: string; message: string; data?: Record<string, unknown> }
  | { type: 'checkpoint'; state: unknown };

/** What a pool task function receives: its input, the checkpoint to resume from, a way to report. */
export type PoolTaskFn<I, O> = (input: I, checkpoint: unknown | null, emit: (m: PoolMessage) => void) => Promise<O> | O;

/** Envelope posted to the worker thread. */
export interface PoolEnvelope {
  task: string;
  input: unknown;
  checkpoint: unknown | null;
  port: import('node:worker_threads').MessagePort;
}

/** A DomainError thrown by a task comes back as this value (an Error's class does not survive the thread boundary). */
export interface PoolDomainErrorResult {
  poolDomainError: import('../../common/errors').WireDomainError;
}

export function isPoolDomainError(v: unknown): v is PoolDomainErrorResult {
  return typeof v === 'object' && v !== null && 'poolDomainError' in v;
}

/** A named pool task, as a method's runner ring declares it. */
export interface PoolTask {
  readonly name: string;
  readonly run: PoolTaskFn<never, unknown>;
}

/** A pool task for the table, bound to its handle so that the kind and the worker agree on name and types. */
export function poolTask<I, O>(handle: TaskHandle<I, O>, run: PoolTaskFn<I, O>): PoolTask {
  return { name: handle, run };
}
