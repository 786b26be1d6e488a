/** Training ring of scalenet: the trainer-process task that trains the super-supernet, runs MCEA and generalises the family. */
import type { TrainerTask } from '../../../trainer/tasks/task';
import { scaleNetFamilyTask } from './family.task';

export const trainerTasks: readonly TrainerTask[] = [scaleNetFamilyTask];
