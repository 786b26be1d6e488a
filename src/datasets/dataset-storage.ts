import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { TMP_PREFIX, commitOrRemove, fsyncPath, removeViaTrash, renameDirIntoPlace, sha256File, stageOrClean, sweepLeftovers, tempName } from '../common/durable-fs';
import { isUuid } from '../common/uuid';

/** One file of a dataset, as it will be written to disk: the concatenation of its chunks. */
export interface FileToStore {
  name: string;
  chunks: readonly Uint8Array[];
}

function sha256Chunks(chunks: readonly Uint8Array[]): { sha256: string; size: number } {
  const h = createHash('sha256');
  let size = 0;
  for (const c of chunks) {
    h.update(c);
    size += c.length;
  }
  return { sha256: h.digest('hex'), size };
}

/**
 * Dataset files on disk, under <storageDir>/datasets/<id>/. Never leaves a half-written dataset directory:
 * files are written to a temp directory, fsynced and read back, then the directory is renamed into place
 * (atomic on one file system); the caller's DB insert runs only after that, and a failed insert removes
 * the directory again.
 */
export class DatasetStorage {
  readonly root: string;

  constructor(readonly storageDir: string) {
    this.root = path.join(storageDir, 'datasets');
  }

  /** Path of a dataset's directory relative to the storage dir (what the DB row keeps). */
  relativePath(id: string): string {
    if (!isUuid(id)) throw new Error(`dataset id ${id} is not a UUID`);
    return path.posix.join('datasets', id);
  }

  /** Absolute directory of a stored dataset; refuses paths that leave the dataset root. */
  resolve(storagePath: string): string {
    const abs = path.resolve(this.storageDir, storagePath);
    if (path.dirname(abs) !== this.root) throw new Error(`storage path ${storagePath} is outside ${this.root}`);
    return abs;
  }

  /**
   * Writes the files into place, then runs `commit` (the DB insert). Whatever fails, nothing is left behind:
   * the temp directory is removed on a write/verify failure, the final directory on a commit failure.
   */
  async store<T>(id: string, files: readonly FileToStore[], commit: () => Promise<T>): Promise<T> {
    const finalDir = this.resolve(this.relativePath(id));
    const tmpDir = tempName(this.root, id);
    await stageOrClean(tmpDir, async () => {
      await fs.mkdir(this.root, { recursive: true });
      await fs.mkdir(tmpDir);
      for (const f of files) {
        checkFileName(f.name);
        const h = await fs.open(path.join(tmpDir, f.name), 'wx');
        try {
          for (const c of f.chunks) await h.writeFile(c); // writes all of c at the current position
          await h.sync();
        } finally {
          await h.close();
        }
      }
      await this.verify(tmpDir, files);
      await renameDirIntoPlace(tmpDir, finalDir, 'dataset');
    });
    return commitOrRemove(finalDir, commit);
  }

  /**
   * A fresh temp directory under the dataset root (same file system, so it can be renamed into place), for
   * staging an upload's files; `tag` goes into its name. Crash leftovers are removed by sweep().
   */
  async tempDir(tag: string): Promise<string> {
    if (!/^[A-Za-z0-9-]+$/.test(tag)) throw new Error(`bad temp dir tag ${tag}`);
    await fs.mkdir(this.root, { recursive: true });
    const dir = tempName(this.root, tag);
    await fs.mkdir(dir);
    return dir;
  }

  /**
   * Moves a staged directory (from tempDir(), holding exactly `files`, each with the size and SHA-256 measured
   * while it was written) into place as dataset `id`, then runs `commit` (the DB insert): every file is fsynced
   * and read back first; whatever fails, nothing is left behind.
   */
  async commitStaged<T>(id: string, stagedDir: string, files: ReadonlyArray<{ name: string; size: number; sha256: string }>, commit: () => Promise<T>): Promise<T> {
    const finalDir = this.resolve(this.relativePath(id));
    if (path.dirname(stagedDir) !== this.root || !path.basename(stagedDir).startsWith(TMP_PREFIX)) throw new Error(`${stagedDir} is not a staging directory of ${this.root}`);
    await stageOrClean(stagedDir, async () => {
      for (const f of files) {
        checkFileName(f.name);
        await fsyncPath(path.join(stagedDir, f.name));
        checkReadBack(f.name, await sha256File(path.join(stagedDir, f.name)), f);
      }
      await renameDirIntoPlace(stagedDir, finalDir, 'dataset');
    });
    return commitOrRemove(finalDir, commit);
  }

  /** Reads every written file back and compares size and SHA-256 with what was meant to be written. */
  private async verify(dir: string, files: readonly FileToStore[]): Promise<void> {
    for (const f of files) checkReadBack(f.name, await sha256File(path.join(dir, f.name)), sha256Chunks(f.chunks));
  }

  /** Removes a dataset's directory: first renamed aside (so no half-deleted dataset dir is ever visible), then deleted. */
  async remove(storagePath: string): Promise<void> {
    await removeViaTrash(this.root, this.resolve(storagePath));
  }

  /** Removes temp and trash directories left by a crash, when older than `olderThanMs` (others may be in use). */
  async sweep(olderThanMs: number, now = Date.now()): Promise<string[]> {
    return sweepLeftovers(this.root, olderThanMs, now);
  }

  /** Names in the dataset root (for tests and diagnostics). */
  async list(): Promise<string[]> {
    return fs.readdir(this.root).catch(() => []);
  }
}

function checkFileName(name: string): void {
  if (path.basename(name) !== name || name.startsWith('.')) throw new Error(`bad stored file name ${name}`);
}

function checkReadBack(name: string, back: { sha256: string; size: number }, meant: { sha256: string; size: number }): void {
  if (back.size !== meant.size || back.sha256 !== meant.sha256) {
    throw new Error(`verification of stored file ${name} failed: read back ${back.size} bytes (sha256 ${back.sha256}), meant ${meant.size} (${meant.sha256})`);
  }
}
