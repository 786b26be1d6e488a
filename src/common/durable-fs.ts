import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/**
 * The durable-write rules shared by the dataset and artefact stores: stage under a temp name in the store's root,
 * fsync, move into place, fsync the root; delete by renaming aside first; a crash's leftovers carry these prefixes.
 */
export const TMP_PREFIX = '.tmp-';
export const TRASH_PREFIX = '.trash-';

/** A fresh temp name under `root` for staging `tag` (same file system as the final name, so it can be renamed). */
export function tempName(root: string, tag: string): string {
  return path.join(root, `${TMP_PREFIX}${tag}-${randomBytes(4).toString('hex')}`);
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

/** Runs `stage` (which fills `staged`); on any failure removes `staged` and rethrows. */
export async function stageOrClean(staged: string, stage: () => Promise<void>): Promise<void> {
  try {
    await stage();
  } catch (err) {
    await fs.rm(staged, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
}

/** Runs `commit` (the DB insert) once `finalPath` is in place; on failure removes `finalPath` again and rethrows. */
export async function commitOrRemove<T>(finalPath: string, commit: () => Promise<T>): Promise<T> {
  try {
    return await commit();
  } catch (err) {
    await fs.rm(finalPath, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
}

/**
 * Renames a staged directory into place: fsync it, refuse an existing target (rename(2) would silently replace an
 * existing *empty* directory), rename, fsync the parent.
 */
export async function renameDirIntoPlace(stagedDir: string, finalDir: string, what: string): Promise<void> {
  await fsyncPath(stagedDir);
  const exists = await fs.stat(finalDir).then(
    () => true,
    () => false,
  );
  if (exists) throw new Error(`${what} directory ${finalDir} already exists`);
  await fs.rename(stagedDir, finalDir);
  await fsyncPath(path.dirname(finalDir));
}

/** Removes a stored file or directory: renamed aside first (never half-deleted under its name), then deleted. */
export async function removeViaTrash(root: string, target: string): Promise<void> {
  const trash = path.join(root, `${TRASH_PREFIX}${path.basename(target)}-${randomBytes(4).toString('hex')}`);
  try {
    await fs.rename(target, trash);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  await fs.rm(trash, { recursive: true, force: true });
}

/** Removes temp and trash entries of `root` left by a crash, when older than `olderThanMs` (younger ones may be in use). */
export async function sweepLeftovers(root: string, olderThanMs: number, now = Date.now()): Promise<string[]> {
  const names = await fs.readdir(root).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(TMP_PREFIX) && !name.startsWith(TRASH_PREFIX)) continue;
    const p = path.join(root, name);
    const st = await fs.stat(p).catch(() => null);
    if (!st || now - st.mtimeMs < olderThanMs) continue;
    await fs.rm(p, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
