/** Task handles of nb201-search, shared by its job ring (the kind runs them) and its runner ring (the pool serves them). */
import { taskHandle } from '../../common/task-handle';
import type { Nb201SearchJobResult } from './runner/evidence';
import type { Nb201SearchInput } from './science/types';

/** Pool task: one search over NAS-Bench-201 with the table as evaluator. */
export const NB201_SEARCH_TASK = taskHandle<Nb201SearchInput, Nb201SearchJobResult>('nb201-search');
