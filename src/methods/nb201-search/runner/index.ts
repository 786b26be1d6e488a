/** Runner ring of nb201-search: the Piscina pool task that runs one search against the NAS-Bench-201 table. */
import type { PoolTask } from '../../../search/pool/protocol';
import { NB201_SEARCH_TASK, nb201SearchTask } from './pool-task';

export const poolTasks: readonly PoolTask[] = [{ name: NB201_SEARCH_TASK, run: nb201SearchTask }];
