import { methodPoolTasks } from '../../methods/registry';
import type { PoolTaskFn } from './protocol';

let table: Promise<Map<string, PoolTaskFn<never, unknown>>> | null = null;

/** Tasks the Piscina worker threads can run, by name: the runner rings of src/methods/registry.ts (loaded once per thread). */
export function poolTaskTable(): Promise<Map<string, PoolTaskFn<never, unknown>>> {
  table ??= methodPoolTasks().then((tasks) => new Map(tasks.map((t) => [t.name, t.run])));
  return table;
}
