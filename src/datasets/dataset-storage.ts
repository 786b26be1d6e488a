import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isUuid } from '../common/uuid';

/** One file of a dataset, as it will be written to disk: the concatenation of its chunks. */
export interface FileToStore {
  name: string;
  chunks: readonly Uint8Array[];
}

const TMP_PREFIX = '.tmp-';
const TRASH_PREFIX = '.trash-';

function sha256Chunks(chunks: readonly Uint8Array[]): { sha256: string; size: number } {
  const h = createHash('sha256');
  let size = 0;
  for (const c of chunks) {
    h.update(c);
    size += c.length;
  }
  return { sha256: h.digest('hex'), size };
}

/** SHA-256 and size of a file, streamed (never the whole file in memory). */
export async function sha256File(p: string): Promise<{ sha256: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(p)) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: h.digest('hex'), size };
}

/** fsync of a file or directory by path (a directory's fsync makes a rename in it durable). */
export async function fsyncPath(p: string): Promise<void> {
  const h = await fs.open(p, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
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
    const tmpDir = path.join(this.root, `${TMP_PREFIX}${id}-${randomBytes(4).toString('hex')}`);
    try {
      await fs.mkdir(this.root, { recursive: true });
      await fs.mkdir(tmpDir);
      for (const f of files) {
        if (path.basename(f.name) !== f.name || f.name.startsWith('.')) throw new Error(`bad stored file name ${f.name}`);
        const h = await fs.open(path.join(tmpDir, f.name), 'wx');
        try {
          for (const c of f.chunks) await h.writeFile(c); // writes all of c at the current position
          await h.sync();
        } finally {
          await h.close();
        }
      }
      await this.verify(tmpDir, files);
      await fsyncPath(tmpDir);
      // rename(2) would silently replace an existing *empty* directory: make sure none is there
      const exists = await fs.stat(finalDir).then(
        () => true,
        () => false,
      );
      if (exists) throw new Error(`dataset directory ${finalDir} already exists`);
      await fs.rename(tmpDir, finalDir);
      await fsyncPath(this.root);
    } catch (err) {
      await fs.rm(tmpDir, { recursive: true, force: true }).catch(() => undefined);
      throw err;
    }
    try {
      return await commit();
    } catch (err) {
      await fs.rm(finalDir, { recursive: true, force: true }).catch(() => undefined);
      throw err;
    }
  }

  /**
   * A fresh temp directory under the dataset root (same file system, so it can be renamed into place), for
   * staging an upload's files; `tag` goes into its name. Crash leftovers are removed by sweep().
   */
  async tempDir(tag: string): Promise<string> {
    if (!/^[A-Za-z0-9-]+$/.test(tag)) throw new Error(`bad temp dir tag ${tag}`);
    await fs.mkdir(this.root, { recursive: true });
    const dir = path.join(this.root, `${TMP_PREFIX}${tag}-${randomBytes(4).toString('hex')}`);
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
    try {
      for (const f of files) {
        if (path.basename(f.name) !== f.name || f.name.startsWith('.')) throw new Error(`bad stored file name ${f.name}`);
        await fsyncPath(path.join(stagedDir, f.name));
        const back = await sha256File(path.join(stagedDir, f.name));
        if (back.size !== f.size || back.sha256 !== f.sha256) {
          throw new Error(`verification of stored file ${f.name} failed: read back ${back.size} bytes (sha256 ${back.sha256}), meant ${f.size} (${f.sha256})`);
        }
      }
      await fsyncPath(stagedDir);
      const exists = await fs.stat(finalDir).then(
        () => true,
        () => false,
      );
      if (exists) throw new Error(`dataset directory ${finalDir} already exists`);
      await fs.rename(stagedDir, finalDir);
      await fsyncPath(this.root);
    } catch (err) {
      await fs.rm(stagedDir, { recursive: true, force: true }).catch(() => undefined);
      throw err;
    }
    try {
      return await commit();
    } catch (err) {
      await fs.rm(finalDir, { recursive: true, force: true }).catch(() => undefined);
      throw err;
    }
  }

  /** Reads every written file back and compares size and SHA-256 with what was meant to be written. */
  private async verify(dir: string, files: readonly FileToStore[]): Promise<void> {
    for (const f of files) {
      const meant = sha256Chunks(f.chunks);
      const back = await sha256File(path.join(dir, f.name));
      if (back.size !== meant.size || back.sha256 !== meant.sha256) {
        throw new Error(`verification of stored file ${f.name} failed: read back ${back.size} bytes (sha256 ${back.sha256}), meant ${meant.size} (${meant.sha256})`);
      }
    }
  }

  /** Removes a dataset's directory: first renamed aside (so no half-deleted dataset dir is ever visible), then deleted. */
  async remove(storagePath: string): Promise<void> {
    const dir = this.resolve(storagePath);
    const trash = path.join(this.root, `${TRASH_PREFIX}${path.basename(dir)}-${randomBytes(4).toString('hex')}`);
    try {
      await fs.rename(dir, trash);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    await fs.rm(trash, { recursive: true, force: true });
  }

  /** Removes temp and trash directories left by a crash, when older than `olderThanMs` (others may be in use). */
  async sweep(olderThanMs: number, now = Date.now()): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.root);
    } catch {
      return [];
    }
    const removed: string[] = [];
    for (const name of names) {
      if (!name.startsWith(TMP_PREFIX) && !name.startsWith(TRASH_PREFIX)) continue;
      const p = path.join(this.root, name);
      const st = await fs.stat(p).catch(() => null);
      if (!st || now - st.mtimeMs < olderThanMs) continue;
      await fs.rm(p, { recursive: true, force: true });
      removed.push(name);
    }
    return removed;
  }

  /** Names in the dataset root (for tests and diagnostics). */
  async list(): Promise<string[]> {
    return fs.readdir(this.root).catch(() => []);
  }
}
