/** Training ring of nb201-train: the trainer-process task that trains one NB201 cell network. */
import type { TrainerTask } from '../../../trainer/tasks/task';
import { nb201Train } from './nb201-train.task';

export const trainerTasks: readonly TrainerTask[] = [nb201Train];
