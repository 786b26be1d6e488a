/** The trainer child's task table: name -> task. Plain functions: no Nest, no database. */
import { methodTrainerTasks } from '../../methods/registry';
import { LATENCY_TASKS } from '../latency/latency.task';
import { DIAGNOSTIC_TASKS } from './diagnostic';
import type { TrainerTask } from './task';

/** Tasks a child serves: the training rings of src/methods/registry.ts, the method-free `latency-table` task; the diagnostic self-test tasks only when asked for (`--diagnostic-tasks`). */
export async function taskTable(opts: { diagnostic: boolean }): Promise<Map<string, TrainerTask>> {
  const methods = [...(await methodTrainerTasks()), ...LATENCY_TASKS];
  const all = opts.diagnostic ? [...methods, ...DIAGNOSTIC_TASKS] : methods;
  return new Map(all.map((t) => [t.name, t]));
}

export type { TaskContext, TrainerTask } from './task';
