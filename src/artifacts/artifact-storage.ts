import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isUuid } from '../common/uuid';
import { fsyncPath, sha256File } from '../datasets/dataset-storage';

const TMP_PREFIX = '.tmp-';
const TRASH_PREFIX = '.trash-';

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
    const tmp = path.join(this.root, `${TMP_PREFIX}${id}-${randomBytes(4).toString('hex')}`);
    let stored: { sha256: string; size: number };
    try {
      await fs.mkdir(this.root, { recursive: true });
      await fs.copyFile(source, tmp, fs.constants.COPYFILE_EXCL);
      await fsyncPath(tmp);
      stored = await sha256File(tmp);
      await fs.link(tmp, finalPath); // fails if finalPath exists (rename would replace it)
      await fs.unlink(tmp);
      await fsyncPath(this.root);
    } catch (err) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    try {
      return await commit(stored);
    } catch (err) {
      await fs.rm(finalPath, { force: true }).catch(() => undefined);
      throw err;
    }
  }

  /** Removes a stored file: renamed aside first (never half-deleted under its name), then deleted. */
  async remove(storagePath: string): Promise<void> {
    const file = this.resolve(storagePath);
    const trash = path.join(this.root, `${TRASH_PREFIX}${path.basename(file)}-${randomBytes(4).toString('hex')}`);
    try {
      await fs.rename(file, trash);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    await fs.rm(trash, { force: true });
  }

  /** Removes temp and trash files left by a crash when older than `olderThanMs`. */
  async sweep(olderThanMs: number, now = Date.now()): Promise<string[]> {
    const names = await fs.readdir(this.root).catch(() => [] as string[]);
    const removed: string[] = [];
    for (const name of names) {
      if (!name.startsWith(TMP_PREFIX) && !name.startsWith(TRASH_PREFIX)) continue;
      const p = path.join(this.root, name);
      const st = await fs.stat(p).catch(() => null);
      if (!st || now - st.mtimeMs < olderThanMs) continue;
      await fs.rm(p, { force: true });
      removed.push(name);
    }
    return removed;
  }
}
