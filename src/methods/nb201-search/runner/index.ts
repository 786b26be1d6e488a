/** Runner ring of nb201-search: the Piscina pool task that runs one search against the NAS-Bench-201 table. */
import { PoolTask, poolTask } from '../../../search/pool/protocol';
import { NB201_SEARCH_TASK } from '../tasks';
import { nb201SearchTask } from './pool-task';

export const poolTasks: readonly PoolTask[] = [poolTask(NB201_SEARCH_TASK, nb201SearchTask)];
