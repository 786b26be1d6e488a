/** Task handle of conet, shared by its job ring (the kind runs it) and its training ring (the child serves it). */
import { taskHandle } from '../../common/task-handle';
import type { ConetTaskInput } from './training/input';
import type { ConetResult } from './training/conet.task';

/** Trainer task: CONet trials (Alg. 2) on a network for one δ or a sweep, retrain, export. */
export const CONET_TASK = taskHandle<ConetTaskInput, ConetResult>('conet');
