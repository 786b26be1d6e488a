// A trainer TaskContext like the child's, for running trainer tasks in-process in tests: atomic checkpoint files,
// recorded progress, and cancellation at step boundaries (after `cancelAfter` boundaries).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkpointFileName, writeFileAtomic } from '../../src/trainer/checkpoint-file';
import { TrainerAbortedError } from '../../src/trainer/errors';
import type { ResumeFrom } from '../../src/trainer/protocol';
import type { TaskContext, TaskProgress } from '../../src/trainer/tasks/task';

export interface TaskRun {
  ctx: TaskContext;
  progress: TaskProgress[];
  checkpoints: Array<{ path: string; step: number; epoch: number }>;
  boundaries: () => number;
}

export function taskContext(input: unknown, dir: string, resumeFrom: ResumeFrom | null = null, cancelAfter = Infinity): TaskRun {
  fs.mkdirSync(dir, { recursive: true });
  const ac = new AbortController();
  const progress: TaskProgress[] = [];
  const checkpoints: TaskRun['checkpoints'] = [];
  let boundaries = 0;
  const ctx: TaskContext = {
    taskId: 't',
    input,
    resumeFrom,
    checkpointDir: dir,
    signal: ac.signal,
    progress: (p) => progress.push(p),
    async writeCheckpoint(data, step, epoch) {
      const file = path.join(dir, checkpointFileName(step));
      await writeFileAtomic(file, data);
      checkpoints.push({ path: file, step, epoch });
      return file;
    },
    async boundary() {
      await new Promise((r) => setImmediate(r));
      if (++boundaries > cancelAfter) ac.abort();
      if (ac.signal.aborted) throw new TrainerAbortedError('cancelled');
    },
  };
  return { ctx, progress, checkpoints, boundaries: () => boundaries };
}
