/**
 * Errors of the trainer process boundary. Plain classes (no Nest): the job runner records `name` and
 * `message`; errors that are DomainErrors (invalid input, unprocessable data) fail a job permanently,
 * the others here may be retried by the runner (a crashed trainer resumes from its last checkpoint).
 */
import { DomainError, domainErrorFromWire } from '../common/errors';
import type { TaskErrorInfo } from './protocol';

/** A message across the boundary did not match the protocol (wrong shape, wrong version, unexpected order). */
export class TrainerProtocolError extends Error {
  override readonly name = 'TrainerProtocolError';
  readonly type = 'trainer-protocol';
  constructor(
    message: string,
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}

export interface TrainerExit {
  pid: number | null;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** The trainer child kept dying without a result, even after the bounded number of restarts. */
export class TrainerCrashedError extends Error {
  override readonly name = 'TrainerCrashedError';
  readonly type = 'trainer-crashed';
  constructor(
    message: string,
    /** Restarts attempted (a run makes 1 + restarts starts). */
    readonly restarts: number,
    readonly exits: TrainerExit[],
    /** Last lines the child printed on stderr, for the log. */
    readonly stderrTail: string,
  ) {
    super(message);
  }
}

/** The run was cancelled through its AbortSignal; the child is gone when this is thrown. */
export class TrainerAbortedError extends Error {
  override readonly name = 'AbortError';
  readonly type = 'aborted';
  constructor(message = 'training cancelled', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The task itself failed in the child (a thrown error, not a crash); carries the child's error type. */
export class TrainerTaskError extends Error {
  override readonly name = 'TrainerTaskError';
  constructor(
    message: string,
    readonly type: string,
  ) {
    super(message);
  }
}

/** The task is not in the child's task table. */
export class UnknownTaskError extends Error {
  override readonly name = 'UnknownTaskError';
  readonly type = 'unknown-task';
}

/** The child could not be started or did not say `ready` in time. */
export class TrainerStartError extends Error {
  override readonly name = 'TrainerStartError';
  readonly type = 'trainer-start';
}

/** How an error thrown inside the child is described in an `error` message. */
export function describeError(e: unknown): TaskErrorInfo {
  if (e instanceof DomainError) return { type: e.type, message: e.message };
  if (e instanceof Error) return { type: (e as { type?: unknown }).type === 'aborted' ? 'aborted' : e.name || 'Error', message: e.message };
  return { type: 'Error', message: String(e) };
}

/**
 * The parent-side error for a child's `error` message: domain errors come back as the same DomainError
 * class (so the job fails permanently with a 4xx-style type), anything else as TrainerTaskError.
 */
export function errorFromChild(info: TaskErrorInfo): Error {
  const domain = domainErrorFromWire(info);
  if (domain) return domain;
  switch (info.type) {
    case 'unknown-task':
      return new UnknownTaskError(info.message);
    case 'aborted':
      return new TrainerAbortedError(info.message);
    default:
      return new TrainerTaskError(info.message, info.type);
  }
}
