/** The trainer child's task table: name -> task. Plain functions: no Nest, no database. */
import { DIAGNOSTIC_TASKS } from './diagnostic';
import { linearBaseline } from '../../methods/dataset-baseline/training/linear-baseline.task';
import { nb201OneShot } from '../../methods/se-nas/training/nb201-one-shot.task';
import { nb201Train } from '../../methods/nb201-train/training/nb201-train.task';
import type { TrainerTask } from './task';

export const TRAINER_TASKS: readonly TrainerTask[] = [linearBaseline, nb201Train, nb201OneShot];

/** Tasks a child serves; the diagnostic self-test tasks only when asked for (`--diagnostic-tasks`). */
export function taskTable(opts: { diagnostic: boolean }): Map<string, TrainerTask> {
  const all = opts.diagnostic ? [...TRAINER_TASKS, ...DIAGNOSTIC_TASKS] : TRAINER_TASKS;
  return new Map(all.map((t) => [t.name, t]));
}

export type { LinearBaselineResult } from '../../methods/dataset-baseline/training/linear-baseline.task';
export type { LinearBaselineInput, BaselineDatasetRef } from '../../methods/dataset-baseline/training/input';
export type { TaskContext, TrainerTask } from './task';
