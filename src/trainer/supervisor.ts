/**
 * TrainerSupervisor: runs a trainer task in a child process (child.js), bounded in number by a semaphore.
 * - A child that exits without a result (crash, OOM, kill -9) is restarted and resumes from the last
 *   checkpoint it reported, up to `maxRestarts` times; then the run rejects with TrainerCrashedError.
 * - Aborting the signal sends `cancel`; a child still alive after `cancelGraceMs` is SIGKILLed. The run rejects
 *   with TrainerAbortedError only once the child process is gone.
 * - A malformed message from the child is a TrainerProtocolError (the child is killed), never a crash here.
 * - Once `onCheckpoint` has resolved for a checkpoint (its location is recorded), the checkpoint file it
 *   supersedes is deleted, so the recorded file always exists.
 * Plain TypeScript, no Nest: the job worker, tests and future trainer processes share it.
 */
import { ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  TrainerAbortedError,
  TrainerCrashedError,
  TrainerExit,
  TrainerProtocolError,
  TrainerStartError,
  errorFromChild,
} from './errors';
import { ChildMessage, PROTOCOL_VERSION, ParentMessage, ResumeFrom, TrainerProgress, parseChildMessage } from './protocol';
import { Semaphore } from './semaphore';

export type { TrainerProgress } from './protocol';

export interface TrainerRunOptions {
  /** Where the child writes checkpoint files (created if missing). */
  checkpointDir: string;
  /** A checkpoint file of an earlier run to resume from (e.g. the path recorded in the job row). */
  resumeFrom?: string | ResumeFrom | null;
  signal: AbortSignal;
  onProgress?(p: TrainerProgress): void;
  /** Record the checkpoint location durably; the file it supersedes is deleted after this resolves. */
  onCheckpoint?(path: string, step: number, epoch: number): Promise<void> | void;
  /** Each child start (first start and restarts) once it said `ready`. */
  onChildReady?(info: { pid: number; attempt: number }): void;
  /** Delete superseded checkpoint files (default true). */
  pruneCheckpoints?: boolean;
}

export interface TrainerSupervisorOptions {
  /** Children running at the same time (default 1); further runs wait. */
  maxConcurrent?: number;
  /** Restarts after crashes per run (default 3). */
  maxRestarts?: number;
  /** Time a cancelled child gets to exit before SIGKILL (default 2000 ms). */
  cancelGraceMs?: number;
  /** Time a new child gets to say `ready` (default 30 s). */
  readyTimeoutMs?: number;
  /** The child entry; default child.js next to this file (dist/src/trainer/child.js). */
  childPath?: string;
  /** Extra argv for the child, e.g. ['--diagnostic-tasks']. */
  childArgs?: string[];
  /** Node flags for the child (default none: the parent's flags, e.g. --test, are not inherited). */
  execArgv?: string[];
}

type Outcome =
  | { kind: 'result'; result: unknown }
  | { kind: 'error'; error: Error }
  | { kind: 'crash'; exit: TrainerExit }
  | { kind: 'aborted' };

interface AttemptState {
  lastCheckpoint: ResumeFrom | null;
  /** Serialised onCheckpoint calls (in order) and pruning. */
  chain: Promise<void>;
  chainError: Error | null;
  /** The checkpoint whose location is recorded; deleted when a newer one is recorded. */
  confirmed: string | null;
  stderrTail: string;
}

const STDERR_TAIL = 4096;

export class TrainerSupervisor {
  private readonly semaphore: Semaphore;
  private readonly children = new Set<ChildProcess>();
  private closed = false;
  readonly maxRestarts: number;
  readonly cancelGraceMs: number;
  readonly readyTimeoutMs: number;
  private readonly childPath: string;

  constructor(private readonly options: TrainerSupervisorOptions = {}) {
    this.semaphore = new Semaphore(Math.max(1, Math.floor(options.maxConcurrent ?? 1)));
    this.maxRestarts = Math.max(0, Math.floor(options.maxRestarts ?? 3));
    this.cancelGraceMs = options.cancelGraceMs ?? 2000;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
    this.childPath = options.childPath ?? path.join(__dirname, 'child.js');
  }

  /** Children alive now. */
  get liveChildren(): number {
    return this.children.size;
  }

  get maxConcurrent(): number {
    return this.semaphore.size;
  }

  async run<I, O>(task: string, input: I, opts: TrainerRunOptions): Promise<O> {
    if (this.closed) throw new TrainerStartError('trainer supervisor is closed');
    const release = await this.semaphore.acquire(opts.signal, () => new TrainerAbortedError('training cancelled while waiting for a trainer slot'));
    try {
      return (await this.supervise(task, input, opts)) as O;
    } finally {
      release();
    }
  }

  /**
   * Refuses new runs, gives live children up to `drainMs` to end on their own (e.g. runs whose signal was
   * aborted), then SIGKILLs the rest; runs still going reject with TrainerAbortedError.
   */
  async close(drainMs = 0): Promise<void> {
    this.closed = true;
    const exits = [...this.children].map((c) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r()))));
    const all = Promise.all(exits);
    if (drainMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, drainMs)))]);
      clearTimeout(timer);
    }
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await all;
  }

  private async supervise(task: string, input: unknown, opts: TrainerRunOptions): Promise<unknown> {
    const taskId = randomUUID();
    const initial = typeof opts.resumeFrom === 'string' ? { path: opts.resumeFrom } : (opts.resumeFrom ?? null);
    const state: AttemptState = { lastCheckpoint: initial, chain: Promise.resolve(), chainError: null, confirmed: initial?.path ?? null, stderrTail: '' };
    const exits: TrainerExit[] = [];
    fs.mkdirSync(opts.checkpointDir, { recursive: true });
    for (let attempt = 0; ; attempt++) {
      if (opts.signal.aborted) throw new TrainerAbortedError('training cancelled', { cause: opts.signal.reason });
      const outcome = await this.attempt(taskId, task, input, attempt, state, opts);
      await state.chain; // every reported checkpoint is recorded (or failed) before we decide
      if (state.chainError) throw state.chainError;
      switch (outcome.kind) {
        case 'result':
          return outcome.result;
        case 'error':
          throw outcome.error;
        case 'aborted':
          throw new TrainerAbortedError(this.closed ? 'trainer supervisor shut down' : 'training cancelled', { cause: opts.signal.reason });
        case 'crash':
          exits.push(outcome.exit);
          removeTmpFiles(opts.checkpointDir, outcome.exit.pid);
          if (this.closed) throw new TrainerAbortedError('trainer supervisor shut down');
          if (attempt >= this.maxRestarts) {
            const how = exits.map((e) => (e.signal ? `signal ${e.signal}` : `code ${e.code}`)).join(', ');
            throw new TrainerCrashedError(
              `trainer task ${task} crashed ${exits.length} times (${how}); gave up after ${this.maxRestarts} restarts` +
                (state.stderrTail ? `; last stderr: ${lastLine(state.stderrTail)}` : ''),
              this.maxRestarts,
              exits,
              state.stderrTail,
            );
          }
      }
    }
  }

  /** One child process: start it, run the task, settle when it has exited and its channel is drained. */
  private attempt(taskId: string, task: string, input: unknown, attempt: number, state: AttemptState, opts: TrainerRunOptions): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      let child: ChildProcess;
      try {
        child = fork(this.childPath, this.options.childArgs ?? [], {
          serialization: 'advanced',
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
          execArgv: this.options.execArgv ?? [],
        });
      } catch (e) {
        resolve({ kind: 'error', error: new TrainerStartError(`cannot start trainer child: ${(e as Error).message}`) });
        return;
      }
      this.children.add(child);
      state.stderrTail = '';
      child.stdout?.resume();
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (s: string) => (state.stderrTail = (state.stderrTail + s).slice(-STDERR_TAIL)));

      let started = false;
      let result: { value: unknown } | null = null;
      let taskError: Error | null = null;
      let fatal: Error | null = null;
      let aborted = false;
      let graceTimer: NodeJS.Timeout | undefined;
      let exit: TrainerExit | null = null;
      let settled = false;

      const kill = (): void => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      };
      const failFatal = (e: Error): void => {
        fatal ??= e;
        kill();
      };
      const readyTimer = setTimeout(() => failFatal(new TrainerStartError(`trainer child did not say ready within ${this.readyTimeoutMs} ms`)), this.readyTimeoutMs);
      // A send fails only when the channel is closing, i.e. the child is exiting: its exit decides the outcome.
      const send = (m: ParentMessage): void => {
        if (child.connected) child.send(m, () => undefined);
      };

      const onAbort = (): void => {
        if (aborted) return;
        aborted = true;
        if (!started) return kill();
        send({ type: 'cancel', taskId });
        graceTimer = setTimeout(kill, this.cancelGraceMs);
      };
      if (opts.signal.aborted) onAbort();
      else opts.signal.addEventListener('abort', onAbort, { once: true });

      const settle = (): void => {
        if (settled || !exit) return;
        settled = true;
        clearTimeout(readyTimer);
        clearTimeout(graceTimer);
        opts.signal.removeEventListener('abort', onAbort);
        this.children.delete(child);
        if (fatal) resolve({ kind: 'error', error: fatal });
        else if (aborted || this.closed) resolve({ kind: 'aborted' });
        else if (result) resolve({ kind: 'result', result: result.value });
        else if (taskError) resolve({ kind: 'error', error: taskError });
        else resolve({ kind: 'crash', exit });
      };

      const onMessage = (m: ChildMessage): void => {
        if (m.type === 'ready') {
          if (m.protocolVersion !== PROTOCOL_VERSION) {
            return failFatal(new TrainerProtocolError(`trainer child speaks protocol v${m.protocolVersion}, this supervisor v${PROTOCOL_VERSION}`));
          }
          if (started) return failFatal(new TrainerProtocolError('trainer child said ready twice'));
          clearTimeout(readyTimer);
          started = true;
          safely(() => opts.onChildReady?.({ pid: m.pid, attempt }));
          if (aborted) return kill();
          send({ type: 'start', taskId, task, input, resumeFrom: state.lastCheckpoint, checkpointDir: opts.checkpointDir });
          return;
        }
        if (m.taskId !== taskId) {
          if (m.type === 'error') return failFatal(new TrainerProtocolError(`trainer child rejected a message: ${m.error.message}`));
          return failFatal(new TrainerProtocolError(`trainer child sent ${m.type} for unknown task ${m.taskId}`));
        }
        switch (m.type) {
          case 'progress': {
            const { type: _t, taskId: _id, ...p } = m;
            safely(() => opts.onProgress?.(p));
            return;
          }
          case 'checkpoint':
            state.lastCheckpoint = { path: m.path, step: m.step, epoch: m.epoch };
            state.chain = state.chain.then(async () => {
              if (state.chainError) return;
              try {
                await opts.onCheckpoint?.(m.path, m.step, m.epoch);
              } catch (e) {
                state.chainError = e instanceof Error ? e : new Error(String(e));
                return failFatal(state.chainError);
              }
              if (opts.pruneCheckpoints !== false) prune(state.confirmed, m.path, opts.checkpointDir);
              state.confirmed = m.path;
            });
            return;
          case 'result':
            result = { value: m.result };
            return;
          case 'error':
            taskError = errorFromChild(m.error);
            return;
        }
      };

      child.on('message', (raw: unknown) => {
        let m: ChildMessage;
        try {
          m = parseChildMessage(raw);
        } catch (e) {
          return failFatal(e as Error);
        }
        onMessage(m);
      });
      child.on('error', (e) => {
        if (child.pid === undefined) {
          fatal ??= new TrainerStartError(`cannot start trainer child: ${e.message}`);
          exit ??= { pid: null, code: null, signal: null };
          settle();
        }
      });
      child.on('exit', (code, signal) => {
        exit = { pid: child.pid ?? null, code, signal };
        // Messages sent just before exit may still be in the channel: settle once it is drained.
        if (!child.connected) return settle();
        const fallback = setTimeout(settle, 1000);
        child.once('disconnect', () => {
          clearTimeout(fallback);
          settle();
        });
      });
    });
  }
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // a throwing observer must not take the supervisor down
  }
}

/** Deletes the checkpoint file superseded by `next`, if it is one of ours (inside checkpointDir). */
function prune(previous: string | null, next: string, checkpointDir: string): void {
  if (!previous || previous === next) return;
  if (path.resolve(path.dirname(previous)) !== path.resolve(checkpointDir)) return;
  fs.rmSync(previous, { force: true });
}

/** Half-written checkpoint files of a child that died mid-write. */
function removeTmpFiles(dir: string, pid: number | null): void {
  if (pid === null) return;
  try {
    for (const f of fs.readdirSync(dir)) if (f.endsWith(`.tmp-${pid}`)) fs.rmSync(path.join(dir, f), { force: true });
  } catch {
    // directory gone: nothing to clean
  }
}

function lastLine(s: string): string {
  const lines = s.trim().split('\n');
  return lines[lines.length - 1].slice(0, 300);
}
