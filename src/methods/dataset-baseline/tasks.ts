/** Task handles of dataset-baseline, shared by its job ring (the kind runs them) and its training ring (the child serves them). */
import { taskHandle } from '../../common/task-handle';
import type { LinearBaselineInput } from './training/input';
import type { LinearBaselineResult } from './training/linear-baseline.task';

/** Trainer task: the linear softmax baseline. */
export const LINEAR_BASELINE_TASK = taskHandle<LinearBaselineInput, LinearBaselineResult>('linear-baseline');
