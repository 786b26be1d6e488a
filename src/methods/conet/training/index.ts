/** Training ring of conet: the trainer-process task that runs CONet trials, retrains and exports. */
import type { TrainerTask } from '../../../trainer/tasks/task';
import { conetTask } from './conet.task';

export const trainerTasks: readonly TrainerTask[] = [conetTask];
