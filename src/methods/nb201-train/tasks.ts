/** Task handles of nb201-train, shared by its job ring (the kind runs them) and its training ring (the child serves them). */
import { taskHandle } from '../../common/task-handle';
import type { Nb201TrainInput } from './training/input';
import type { Nb201TrainResult } from './training/nb201-train.task';

/** Trainer task: train one NB201 cell network from scratch. */
export const NB201_TRAIN_TASK = taskHandle<Nb201TrainInput, Nb201TrainResult>('nb201-train');
