/**
 * Entry of a trainer child process (forked by TrainerSupervisor from dist/src/trainer/child.js).
 * Says `ready`, then runs one task at a time from its task table. On `cancel` the task stops at its next
 * step boundary and the process exits; if the parent goes away the process exits too (no orphans).
 * A thrown task error is reported as an `error` message; a crash (exit without result) is the parent's
 * signal to restart this process and resume from the last checkpoint it reported.
 * Flag `--diagnostic-tasks` adds the self-test tasks (crash, ignore-cancel, malformed output).
 */
import * as path from 'node:path';
import { checkpointFileName, writeFileAtomic } from './checkpoint-file';
import { TrainerAbortedError, describeError } from './errors';
import { ChildMessage, PROTOCOL_VERSION, StartMessage, parseParentMessage } from './protocol';
import { taskTable } from './tasks';
import type { TaskContext, TaskProgress } from './tasks/task';

const tasks = taskTable({ diagnostic: process.argv.includes('--diagnostic-tasks') });

interface Current {
  taskId: string;
  controller: AbortController;
}

let current: Current | null = null;

function send(m: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || !process.send) return resolve();
    process.send(m, undefined, {}, () => resolve());
  });
}

/** Done: hand the channel back so the parent reads everything we sent, then leave. */
function leave(code: number): void {
  if (process.connected) process.disconnect();
  setTimeout(() => process.exit(code), 1000).unref();
}

function context(m: StartMessage, controller: AbortController): TaskContext {
  return {
    taskId: m.taskId,
    input: m.input,
    resumeFrom: m.resumeFrom,
    checkpointDir: m.checkpointDir,
    signal: controller.signal,
    progress(p: TaskProgress): void {
      void send({ type: 'progress', taskId: m.taskId, ...p });
    },
    async writeCheckpoint(data: Uint8Array, step: number, epoch: number): Promise<string> {
      const file = path.join(m.checkpointDir, checkpointFileName(step));
      await writeFileAtomic(file, data);
      await send({ type: 'checkpoint', taskId: m.taskId, path: file, step, epoch });
      return file;
    },
    async boundary(): Promise<void> {
      await new Promise<void>((r) => setImmediate(r)); // one loop turn: IPC messages (cancel) are read here
      if (controller.signal.aborted) throw new TrainerAbortedError('training cancelled at a step boundary');
    },
  };
}

async function start(m: StartMessage): Promise<void> {
  const table = await tasks;
  if (current) {
    await send({ type: 'error', taskId: m.taskId, error: { type: 'trainer-protocol', message: `busy with task ${current.taskId}` } });
    return;
  }
  const task = table.get(m.task);
  if (!task) {
    await send({ type: 'error', taskId: m.taskId, error: { type: 'unknown-task', message: `unknown trainer task "${m.task}"; known: ${[...table.keys()].join(', ')}` } });
    return leave(0);
  }
  const controller = new AbortController();
  current = { taskId: m.taskId, controller };
  try {
    const result = await task.run(context(m, controller));
    if (controller.signal.aborted) throw new TrainerAbortedError('training cancelled');
    await send({ type: 'result', taskId: m.taskId, result });
  } catch (e) {
    await send({ type: 'error', taskId: m.taskId, error: describeError(e) });
  } finally {
    current = null;
  }
  leave(0);
}

function main(): void {
  if (!process.send) {
    process.stderr.write('trainer child: must be started with child_process.fork (needs an IPC channel)\n');
    process.exit(2);
  }
  process.on('message', (raw: unknown) => {
    let m;
    try {
      m = parseParentMessage(raw);
    } catch (e) {
      void send({ type: 'error', taskId: current?.taskId ?? '-', error: describeError(e) });
      return;
    }
    if (m.type === 'start') void start(m);
    else if (current && current.taskId === m.taskId) current.controller.abort();
  });
  // The parent died or hung up: nobody is left to report to, stop now.
  process.on('disconnect', () => {
    current?.controller.abort();
    process.exit(0);
  });
  // Ready once the task table is loaded (the methods' training rings), so a start never waits on it.
  tasks.then(
    () => send({ type: 'ready', pid: process.pid, protocolVersion: PROTOCOL_VERSION }),
    (e: unknown) => {
      process.stderr.write(`trainer child: cannot load the task table: ${e instanceof Error ? e.stack : String(e)}\n`);
      process.exit(1);
    },
  );
}

main();
