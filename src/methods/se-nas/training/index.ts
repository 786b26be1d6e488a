/** Training ring of se-nas: the trainer-process task that trains an NB201 supernet (SPOS or SE-NAS) and searches it. */
import type { TrainerTask } from '../../../trainer/tasks/task';
import { nb201OneShot } from './nb201-one-shot.task';

export const trainerTasks: readonly TrainerTask[] = [nb201OneShot];
