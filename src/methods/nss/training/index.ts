/** Training ring of nss: the trainer-process tasks (the NSS search to an Elite Space; NAS inside a space). */
import type { TrainerTask } from '../../../trainer/tasks/task';
import { nssArchSearch } from './arch-search.task';
import { nssEliteSpace } from './elite-space.task';

export const trainerTasks: readonly TrainerTask[] = [nssEliteSpace, nssArchSearch];
