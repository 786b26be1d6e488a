/** Training ring of dataset-baseline: the trainer-process task that trains the linear softmax baseline. */
import type { TrainerTask } from '../../../trainer/tasks/task';
import { linearBaseline } from './linear-baseline.task';

export const trainerTasks: readonly TrainerTask[] = [linearBaseline];
