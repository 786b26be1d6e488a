import { nb201SearchTask } from '../../methods/nb201-search/runner/pool-task';
import type { PoolTaskFn } from './protocol';

/** Tasks the Piscina worker threads can run, by name. Plain functions: no Nest, no database. */
export const POOL_TASKS: Record<string, PoolTaskFn<never, unknown>> = {
  'nb201-search': nb201SearchTask as PoolTaskFn<never, unknown>,
};
