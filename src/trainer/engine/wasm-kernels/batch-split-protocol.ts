/** Messages between ./batch-split.ts (main thread) and ./split-worker.ts (its helper thread). */

/** Status word (Int32Array index 0 of `control`): the helper sets DONE or FAILED and notifies. */
export const STATUS_IDLE = 0;
export const STATUS_DONE = 1;
export const STATUS_FAILED = 2;

export interface SplitInput {
  name: string;
  shape: number[];
  /** Byte offset of the float32 values in `data`. */
  offset: number;
  size: number;
}

export interface SplitRequest {
  kernel: string;
  attrs: Record<string, unknown>;
  inputs: SplitInput[];
  data: SharedArrayBuffer;
  /** Byte offset in `data` where the helper writes its output. */
  outOffset: number;
  /** Int32Array: [status, output rank, output dims...]. */
  control: SharedArrayBuffer;
}
