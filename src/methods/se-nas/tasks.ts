/** Task handles of se-nas, shared by its job ring (the kinds run them) and its training ring (the child serves them). */
import { taskHandle } from '../../common/task-handle';
import type { OneShotInput } from './training/input';
import type { OneShotResult } from './training/nb201-one-shot.task';

/** The one-shot task's input as a kind sends it: optional fields left out take the task's defaults. */
export type OneShotTaskInput = Partial<OneShotInput> & Pick<OneShotInput, 'method' | 'dataset' | 'C' | 'N' | 'epochsPerStage' | 'batchSize' | 'seed'>;

/** Trainer task: SPOS or SE-NAS on the NAS-Bench-201 supernet, then the search of the final space. */
export const NB201_ONE_SHOT_TASK = taskHandle<OneShotTaskInput, OneShotResult>('nb201-one-shot');
