/**
 * The NSS search as one resumable function over an image dataset, plus the supernet evaluation of sampled
 * architectures (the accuracies of the paper's Fig. 3 come from a supernet: each architecture's BN statistics are
 * recalibrated on training batches, as in SPOS/OFA, then it is evaluated with BN in eval mode on the given stream).
 */
import type { ImageSplit } from '../../../datasets/formats/types';
import type { BatchStream, ImageSource } from '../../../datasets/pipeline';
import { recalibrateBatchNorm } from '../../../trainer/engine/bn-recalibration';
import { evaluate } from '../../../trainer/engine/train-loop';
import { archFlops } from '../science/cost';
import type { NssArch } from '../science/space';
import { NssCheckpoint, NssSearchOptions, NssSearchResult, NssSearchRun } from './runner';
import type { NssSupernet } from './supernet';

export interface NssSearchHooks {
  /** A checkpoint from an earlier, interrupted call. */
  resume?: NssCheckpoint;
  /** Steps between checkpoints (0: only at the end). */
  checkpointEvery?: number;
  onCheckpoint?(c: NssCheckpoint): void | Promise<void>;
  /** Awaited before every step (cancellation, yielding to the event loop). */
  boundary?(): Promise<void>;
  /** Called after every epoch with the step count done and the total. */
  onProgress?(step: number, total: number): void;
}

/** Runs (or resumes) the whole search; returns its result and the final checkpoint. The run is disposed. */
export async function runNssSearch(data: ImageSplit | ImageSource, options: NssSearchOptions, hooks: NssSearchHooks = {}): Promise<{ result: NssSearchResult; checkpoint: NssCheckpoint }> {
  const run = new NssSearchRun(data, options, hooks.resume);
  try {
    const every = hooks.checkpointEvery ?? 0;
    while (!run.done) {
      if (hooks.boundary) await hooks.boundary();
      run.runStep();
      if (every > 0 && run.step % every === 0 && !run.done && hooks.onCheckpoint) await hooks.onCheckpoint(run.checkpoint());
      if (run.step % run.stepsPerEpoch === 0) hooks.onProgress?.(run.step, run.totalSteps);
    }
    const checkpoint = run.checkpoint();
    if (hooks.onCheckpoint) await hooks.onCheckpoint(checkpoint);
    return { result: run.result(), checkpoint };
  } finally {
    run.dispose();
  }
}

export interface ArchEvaluation {
  arch: NssArch;
  flops: number;
  accuracy: number;
  loss: number;
}

/**
 * Supernet accuracy of each architecture (on `net`'s shared weights; it is left set to the last one): BN running statistics recalibrated over `recalibration` batches (momentum
 * 1/i, so independent of the statistics before), then one eval-mode pass over `stream`.
 */
export async function evaluateArchs(
  net: NssSupernet,
  archs: readonly NssArch[],
  recalibration: () => Iterable<{ x: Float32Array; shape: [number, number, number, number] }>,
  stream: BatchStream,
  boundary?: () => Promise<void>,
): Promise<ArchEvaluation[]> {
  const out: ArchEvaluation[] = [];
  for (const arch of archs) {
    net.set(arch);
    recalibrateBatchNorm(net, recalibration());
    const r = await evaluate(net, stream, boundary);
    out.push({ arch, flops: archFlops(net.space, arch), accuracy: r.accuracy, loss: r.loss });
  }
  return out;
}
