/**
 * The resumable-task helper: how a trainer task writes its checkpoints and picks up from one. One checkpoint format
 * name per task, one fingerprint of the run's inputs (a flat record, compared field by field), and one fallback:
 * - no checkpoint: a fresh start;
 * - a checkpoint of this format and fingerprint: resume (the task restores its arrays in `restore`);
 * - a corrupt checkpoint (unreadable, truncated, another format, arrays that do not fit the model): a note
 *   "checkpoint unusable (...); trained from step 0" and a fresh start (after the task's `reset`);
 * - a checkpoint of another run (fingerprint differs): refused with a 422 naming the field, since resuming it
 *   would mix two runs.
 * No Nest, no database.
 */
import { UnprocessableError } from '../common/errors';
import { CheckpointArray, CheckpointCorruptError, encodeCheckpoint, readCheckpointFile } from './checkpoint-file';
import type { ResumeFrom } from './protocol';

export type FingerprintValue = string | number | boolean | null;
/** What identifies a run: resuming is allowed only into a run with the same fingerprint. */
export type Fingerprint = Readonly<Record<string, FingerprintValue>>;

/** A fingerprint of plain fields: nested values (arrays, objects) are compared through their JSON. */
export function fingerprintOf(fields: Readonly<Record<string, unknown>>): Fingerprint {
  const out: Record<string, FingerprintValue> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    out[k] = v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v);
  }
  return out;
}

export interface Resumed<S> {
  state: S;
  arrays: Record<string, CheckpointArray>;
  file: string;
}

export class ResumableTask<S> {
  constructor(
    /** Format name with version, e.g. 'nb201-train/1'. */
    readonly format: string,
    readonly fingerprint: Fingerprint,
  ) {}

  /** The checkpoint file's bytes for `state` (JSON) and `arrays`. */
  encode(state: S, arrays: Record<string, CheckpointArray>): Uint8Array {
    return encodeCheckpoint({ meta: { format: this.format, fingerprint: this.fingerprint, state }, arrays });
  }

  /** Reads and checks a checkpoint: CheckpointCorruptError when unusable, UnprocessableError when it is another run's. */
  read(file: string): Resumed<S> {
    const c = readCheckpointFile(file);
    if (c.meta.format !== this.format) throw new CheckpointCorruptError(`checkpoint ${file} has format ${String(c.meta.format)}, expected ${this.format}`);
    const got = c.meta.fingerprint;
    const saved: Readonly<Record<string, unknown>> = typeof got === 'object' && got !== null ? (got as Readonly<Record<string, unknown>>) : {};
    for (const [k, v] of Object.entries(this.fingerprint)) {
      if (saved[k] !== v) throw new UnprocessableError(`checkpoint ${file} was written for ${k}=${String(saved[k])}, this run has ${k}=${String(v)}; cannot resume`);
    }
    return { state: c.meta.state as S, arrays: c.arrays, file };
  }

  /**
   * The state to continue from, or null for a fresh start. `restore` loads the arrays into the task's model (any
   * error it throws counts as a corrupt checkpoint); on a corrupt checkpoint `reset` undoes a partial restore and a
   * note is added to `notes`.
   */
  resume(resumeFrom: ResumeFrom | null, notes: string[], restore: (r: Resumed<S>) => void, reset?: () => void): S | null {
    if (!resumeFrom) return null;
    try {
      const r = this.read(resumeFrom.path);
      try {
        restore(r);
      } catch (e) {
        if (e instanceof CheckpointCorruptError) throw e;
        throw new CheckpointCorruptError(`checkpoint ${r.file}: ${(e as Error).message}`);
      }
      return r.state;
    } catch (e) {
      if (!(e instanceof CheckpointCorruptError)) throw e;
      notes.push(`checkpoint unusable (${e.message}); trained from step 0`);
      reset?.();
      return null;
    }
  }
}
