/**
 * THE list of search methods. It feeds the job-kind registry (MethodsModule), the trainer child's task table
 * (src/trainer/tasks) and the Piscina worker's task table (src/search/pool/tasks). Each ring loads lazily, so a
 * trainer child or a pool thread never loads Nest, the DTOs or another ring. To add a method, add its entry here
 * (see the README, "How to add a method").
 */
import type { PoolTask } from '../search/pool/protocol';
import type { TrainerTask } from '../trainer/tasks/task';
import type { MethodDeps, MethodEntry, RegisterKind } from './method';

export const METHODS: readonly MethodEntry[] = [
  {
    name: 'nb201-search',
    job: () => import('./nb201-search/job'),
    runner: () => import('./nb201-search/runner'),
  },
  {
    name: 'nb201-train',
    job: () => import('./nb201-train/job'),
    training: () => import('./nb201-train/training'),
  },
  {
    name: 'dataset-baseline',
    job: () => import('./dataset-baseline/job'),
    training: () => import('./dataset-baseline/training'),
  },
  {
    name: 'se-nas',
    job: () => import('./se-nas/job'),
    training: () => import('./se-nas/training'),
  },
  {
    name: 'scalenet',
    job: () => import('./scalenet/job'),
    training: () => import('./scalenet/training'),
  },
  {
    name: 'nss',
    job: () => import('./nss/job'),
    training: () => import('./nss/training'),
  },
  {
    name: 'conet',
    job: () => import('./conet/job'),
    training: () => import('./conet/training'),
  },
];

/** Registers the job kinds of every method. */
export async function registerMethodKinds(deps: MethodDeps, register: RegisterKind): Promise<void> {
  for (const m of METHODS) (await m.job()).registerKinds(deps, register);
}

/** The trainer-process tasks of every method (names are unique). */
export async function methodTrainerTasks(): Promise<TrainerTask[]> {
  const out: TrainerTask[] = [];
  for (const m of METHODS) if (m.training) out.push(...(await m.training()).trainerTasks);
  return unique(out, 'trainer task');
}

/** The Piscina pool tasks of every method (names are unique). */
export async function methodPoolTasks(): Promise<PoolTask[]> {
  const out: PoolTask[] = [];
  for (const m of METHODS) if (m.runner) out.push(...(await m.runner()).poolTasks);
  return unique(out, 'pool task');
}

function unique<T extends { name: string }>(items: T[], what: string): T[] {
  const seen = new Set<string>();
  for (const t of items) {
    if (seen.has(t.name)) throw new Error(`${what} ${t.name} is declared by two methods`);
    seen.add(t.name);
  }
  return items;
}
