import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { commitOrRemove, fsyncPath, removeViaTrash, sha256File, stageOrClean, sweepLeftovers, tempName } from '../common/durable-fs';
import { isUuid } from '../common/uuid';

/**
 * Artefact files on disk, one file per artefact: <storageDir>/artifacts/<id>. Never leaves a half-written file under
 * its final name: the file is copied to a temp name, fsynced, hashed from disk, renamed into place and the directory
 * fsynced; the caller's DB insert runs only after that, and a failed insert removes the file again.
 */
export class ArtifactStorage {
  readonly root: string;

  constructor(readonly storageDir: string) {
    this.root = path.join(storageDir, 'artifacts');
  }

  relativePath(id: string): string {
    if (!isUuid(id)) throw new Error(`artifact id ${id} is not a UUID`);
    return path.posix.join('artifacts', id);
  }

  /** Absolute path of a stored artefact; refuses paths that leave the artefact root. */
  resolve(storagePath: string): string {
    const abs = path.resolve(this.storageDir, storagePath);
    if (path.dirname(abs) !== this.root || path.basename(abs).startsWith('.')) throw new Error(`storage path ${storagePath} is outside ${this.root}`);
    return abs;
  }

  /**
   * Copies `source` into place as artefact `id`, then runs `commit(sha256, size)` (the DB insert) with the hash and
   * size of the bytes as stored. Whatever fails, nothing is left: the temp file on a copy failure, the final file on a
   * commit failure.
   */
  async store<T>(id: string, source: string, commit: (stored: { sha256: string; size: number }) => Promise<T>): Promise<T> {
    const finalPath = this.resolve(this.relativePath(id));
    const tmp = tempName(this.root, id);
    let stored = { sha256: '', size: 0 };
    await stageOrClean(tmp, async () => {
      await fs.mkdir(this.root, { recursive: true });
      await fs.copyFile(source, tmp, fs.constants.COPYFILE_EXCL);
      await fsyncPath(tmp);
      stored = await sha256File(tmp);
      await fs.link(tmp, finalPath); // fails if finalPath exists (rename would replace it)
      await fs.unlink(tmp);
      await fsyncPath(this.root);
    });
    return commitOrRemove(finalPath, () => commit(stored));
  }

  /** Removes a stored file: renamed aside first (never half-deleted under its name), then deleted. */
  async remove(storagePath: string): Promise<void> {
    await removeViaTrash(this.root, this.resolve(storagePath));
  }

  /** Removes temp and trash files left by a crash when older than `olderThanMs`. */
  async sweep(olderThanMs: number, now = Date.now()): Promise<string[]> {
    return sweepLeftovers(this.root, olderThanMs, now);
  }
}
