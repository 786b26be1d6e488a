/**
 * The typed, versioned message protocol between a job worker (parent) and a trainer child process.
 * Messages travel over the IPC channel of child_process.fork (serialization 'advanced'). Every message
 * that crosses the boundary is validated here; a malformed one becomes a TrainerProtocolError, never a crash.
 * No Nest or database imports: the child process loads this file too.
 */
import { TrainerProtocolError } from './errors';

/** Bump when a message changes shape; the parent refuses a child that announces another version. */
export const PROTOCOL_VERSION = 1;

/** Where a task resumes: a checkpoint file the child wrote earlier (step/epoch as reported when it was written). */
export interface ResumeFrom {
  path: string;
  step?: number;
  epoch?: number;
}

// ---- parent -> child ----

export interface StartMessage {
  type: 'start';
  taskId: string;
  /** Name in the child's task table (src/trainer/tasks/index.ts). */
  task: string;
  input: unknown;
  resumeFrom: ResumeFrom | null;
  /** Directory the child writes its checkpoint files into (created if missing). */
  checkpointDir: string;
}

export interface CancelMessage {
  type: 'cancel';
  taskId: string;
}

export type ParentMessage = StartMessage | CancelMessage;

// ---- child -> parent ----

export interface ReadyMessage {
  type: 'ready';
  pid: number;
  protocolVersion: number;
}

/** How far a training task is; sent by tasks, relayed by the child, handed to the job by the supervisor. */
export interface TrainerProgress {
  /** Optimiser steps done so far (over all attempts). */
  step: number;
  /** Epoch position (fractional: 1.5 = half-way through the second epoch). */
  epoch: number;
  /** Mean training loss over the last reporting window; null before the first step. */
  loss: number | null;
  /** Training items per second over the last reporting window. */
  throughput: number;
  /** Fraction of the task done, 0..1. */
  fraction: number;
  message: string;
  /** Task-specific figures (e.g. stage and surviving operators of a one-shot search); plain JSON. */
  detail?: Record<string, unknown>;
}

export interface ProgressMessage extends TrainerProgress {
  type: 'progress';
  taskId: string;
}

/** Sent only after the file is completely on disk (tmp + fsync + rename + directory fsync). */
export interface CheckpointMessage {
  type: 'checkpoint';
  taskId: string;
  path: string;
  step: number;
  epoch: number;
}

export interface ResultMessage {
  type: 'result';
  taskId: string;
  result: unknown;
}

export interface TaskErrorInfo {
  /** Machine-readable type: a DomainError type (invalid-input, unprocessable, ...), 'aborted', or an Error name. */
  type: string;
  message: string;
}

export interface ErrorMessage {
  type: 'error';
  taskId: string;
  error: TaskErrorInfo;
}

export type ChildMessage = ReadyMessage | ProgressMessage | CheckpointMessage | ResultMessage | ErrorMessage;

// ---- validation ----

type Obj = Record<string, unknown>;

class Checker {
  readonly problems: string[] = [];
  constructor(readonly obj: Obj) {}

  string(key: string, opts: { nonEmpty?: boolean } = {}): string {
    const v = this.obj[key];
    if (typeof v !== 'string' || (opts.nonEmpty && v.length === 0)) this.problems.push(`${key} must be a${opts.nonEmpty ? ' non-empty' : ''} string`);
    return v as string;
  }

  number(key: string, opts: { int?: boolean; min?: number; max?: number; nullable?: boolean } = {}): number {
    const v = this.obj[key];
    if (v === null && opts.nullable) return v as unknown as number;
    const ok =
      typeof v === 'number' &&
      Number.isFinite(v) &&
      (!opts.int || Number.isInteger(v)) &&
      (opts.min === undefined || v >= opts.min) &&
      (opts.max === undefined || v <= opts.max);
    if (!ok) {
      const range = [opts.min !== undefined ? `>= ${opts.min}` : '', opts.max !== undefined ? `<= ${opts.max}` : ''].filter(Boolean).join(' and ');
      this.problems.push(`${key} must be a finite ${opts.int ? 'integer' : 'number'}${range ? ` ${range}` : ''}${opts.nullable ? ' or null' : ''}`);
    }
    return v as number;
  }

  has(key: string): void {
    if (!(key in this.obj)) this.problems.push(`${key} is required`);
  }

  done<T>(what: string, value: T): T {
    if (this.problems.length) throw new TrainerProtocolError(`malformed ${what}: ${this.problems.join('; ')}`, this.problems);
    return value;
  }
}

function asObject(raw: unknown, what: string): Obj {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new TrainerProtocolError(`malformed ${what}: expected an object, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`);
  }
  return raw as Obj;
}

function parseResumeFrom(raw: unknown): ResumeFrom | null {
  if (raw === null || raw === undefined) return null;
  const c = new Checker(asObject(raw, 'start.resumeFrom'));
  const path = c.string('path', { nonEmpty: true });
  const out: ResumeFrom = { path };
  if (c.obj.step !== undefined) out.step = c.number('step', { int: true, min: 0 });
  if (c.obj.epoch !== undefined) out.epoch = c.number('epoch', { min: 0 });
  return c.done('start.resumeFrom', out);
}

/** Validates a message the child received from its parent. */
export function parseParentMessage(raw: unknown): ParentMessage {
  const c = new Checker(asObject(raw, 'parent message'));
  switch (c.obj.type) {
    case 'start': {
      const m: StartMessage = {
        type: 'start',
        taskId: c.string('taskId', { nonEmpty: true }),
        task: c.string('task', { nonEmpty: true }),
        input: c.obj.input,
        resumeFrom: null,
        checkpointDir: c.string('checkpointDir', { nonEmpty: true }),
      };
      c.has('input');
      c.done('start message', m);
      m.resumeFrom = parseResumeFrom(c.obj.resumeFrom);
      return m;
    }
    case 'cancel':
      return c.done('cancel message', { type: 'cancel', taskId: c.string('taskId', { nonEmpty: true }) });
    default:
      throw new TrainerProtocolError(`unknown parent message type ${JSON.stringify(c.obj.type)}; expected start or cancel`);
  }
}

/** Validates a message the parent received from a trainer child. */
export function parseChildMessage(raw: unknown): ChildMessage {
  const c = new Checker(asObject(raw, 'child message'));
  switch (c.obj.type) {
    case 'ready':
      return c.done('ready message', {
        type: 'ready',
        pid: c.number('pid', { int: true, min: 1 }),
        protocolVersion: c.number('protocolVersion', { int: true, min: 0 }),
      });
    case 'progress': {
      const m: ProgressMessage = {
        type: 'progress',
        taskId: c.string('taskId', { nonEmpty: true }),
        step: c.number('step', { int: true, min: 0 }),
        epoch: c.number('epoch', { min: 0 }),
        loss: c.number('loss', { nullable: true }),
        throughput: c.number('throughput', { min: 0 }),
        fraction: c.number('fraction', { min: 0, max: 1 }),
        message: c.string('message'),
      };
      const detail = c.obj.detail;
      if (detail !== undefined) {
        if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) c.problems.push('detail must be an object');
        else m.detail = detail as Record<string, unknown>;
      }
      return c.done('progress message', m);
    }
    case 'checkpoint':
      return c.done('checkpoint message', {
        type: 'checkpoint',
        taskId: c.string('taskId', { nonEmpty: true }),
        path: c.string('path', { nonEmpty: true }),
        step: c.number('step', { int: true, min: 0 }),
        epoch: c.number('epoch', { min: 0 }),
      });
    case 'result':
      c.has('result');
      return c.done('result message', { type: 'result', taskId: c.string('taskId', { nonEmpty: true }), result: c.obj.result });
    case 'error': {
      const taskId = c.string('taskId', { nonEmpty: true });
      c.done('error message', null);
      const e = new Checker(asObject(c.obj.error, 'error message .error'));
      const error: TaskErrorInfo = { type: e.string('type', { nonEmpty: true }), message: e.string('message') };
      return e.done('error message .error', { type: 'error', taskId, error });
    }
    default:
      throw new TrainerProtocolError(
        `unknown child message type ${JSON.stringify(c.obj.type)}; expected ready, progress, checkpoint, result or error`,
      );
  }
}
