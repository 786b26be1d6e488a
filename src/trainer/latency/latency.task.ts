/**
 * Trainer task `latency-table`: measures every distinct unit of a space on the trainer's backend (selectBackend, as
 * training and evaluation use) and writes the look-up table as JSON (atomically) to `input.file`. Method-free: the
 * job kind enumerates the units of its space. Not checkpointed: a cancelled or crashed build starts again.
 */
import { InvalidInputError, violation } from '../../common/errors';
import { writeFileAtomic } from '../checkpoint-file';
import { selectBackend } from '../engine/backend';
import type { TaskContext, TrainerTask } from '../tasks/task';
import { trainerTask } from '../tasks/task';
import { DEFAULT_MEASURE, buildLatencyTable } from './measure';
import { LATENCY_TABLE_TASK, LatencyTableTaskInput, LatencyTableTaskResult } from './handle';



function parse(raw: unknown): LatencyTableTaskInput {
  const i = raw as Partial<LatencyTableTaskInput> | null;
  const bad = (f: string, m: string): never => {
    throw new InvalidInputError(`input.${f} ${m}`, [violation(`input.${f}`, 'invalid', m)]);
  };
  if (!i || typeof i !== 'object') return bad('', 'must be an object');
  if (typeof i.space !== 'string' || !i.space) bad('space', 'must be a non-empty string');
  if (typeof i.file !== 'string' || !i.file) bad('file', 'must be a path');
  if (!Array.isArray(i.units) || i.units.length === 0) bad('units', 'must be a non-empty list');
  if (!Array.isArray(i.inputShape) || i.inputShape.length !== 3) bad('inputShape', 'must be [h, w, c]');
  return i as LatencyTableTaskInput;
}

async function run(ctx: TaskContext): Promise<LatencyTableTaskResult> {
  const input = parse(ctx.input);
  const backend = await selectBackend();
  let last = 0;
  const table = await buildLatencyTable(input.space, input.inputShape, input.units, {
    warmup: input.warmup ?? DEFAULT_MEASURE.warmup,
    runs: input.runs ?? DEFAULT_MEASURE.runs,
    boundary: () => ctx.boundary(),
    onProgress: (done, total) => {
      if (done === total || done - last >= Math.max(1, Math.floor(total / 50))) {
        last = done;
        ctx.progress({ step: done, epoch: 0, loss: null, throughput: 0, fraction: done / total, message: `latency table ${input.space}: ${done}/${total} units on ${backend.name}` });
      }
    },
  });
  await writeFileAtomic(input.file, new TextEncoder().encode(JSON.stringify(table)));
  return { space: table.space, backend: table.backend, backendReason: backend.reason, threads: table.threads, entries: Object.keys(table.entries).length, buildSeconds: table.buildSeconds, file: input.file };
}

export const LATENCY_TASKS: TrainerTask[] = [trainerTask(LATENCY_TABLE_TASK, run)];
