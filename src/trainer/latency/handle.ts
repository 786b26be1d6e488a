/** The `latency-table` trainer task's handle and types, without TensorFlow.js (job kinds in the API process import it). */
import { taskHandle } from '../../common/task-handle';
import type { LatencyUnit } from '../../search/spaces/cost';

export interface LatencyTableTaskInput {
  space: string;
  inputShape: [number, number, number];
  units: LatencyUnit[];
  /** Where the table JSON goes. */
  file: string;
  warmup?: number;
  runs?: number;
}

export interface LatencyTableTaskResult {
  space: string;
  backend: string;
  backendReason: string;
  threads: number | null;
  entries: number;
  buildSeconds: number;
  file: string;
}

export const LATENCY_TABLE_TASK = taskHandle<LatencyTableTaskInput, LatencyTableTaskResult>('latency-table');
