/**
 * Checkpoint files: a small self-describing binary container (JSON header + typed arrays, SHA-256 checked)
 * and an atomic writer (write tmp, fsync, rename, fsync the directory), so a checkpoint that was announced
 * to the parent is always complete on disk, even after kill -9 or a power cut. No Nest imports.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const MAGIC = Buffer.from('NASCKPT1', 'ascii');

export type TypedArrayKind = 'float64' | 'float32' | 'uint32';
export type CheckpointArray = Float64Array | Float32Array | Uint32Array;

interface ArrayEntry {
  name: string;
  dtype: TypedArrayKind;
  length: number;
  offset: number;
}

interface Header {
  meta: Record<string, unknown>;
  arrays: ArrayEntry[];
  payloadBytes: number;
  sha256: string;
}

export interface CheckpointContent {
  meta: Record<string, unknown>;
  arrays: Record<string, CheckpointArray>;
}

/** The checkpoint file is missing, truncated or fails its checksum. */
export class CheckpointCorruptError extends Error {
  override readonly name = 'CheckpointCorruptError';
  readonly type = 'checkpoint-corrupt';
}

function dtypeOf(a: CheckpointArray): TypedArrayKind {
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Float32Array) return 'float32';
  return 'uint32';
}

const BYTES: Record<TypedArrayKind, number> = { float64: 8, float32: 4, uint32: 4 };

export function encodeCheckpoint(content: CheckpointContent): Buffer {
  const entries: ArrayEntry[] = [];
  let offset = 0;
  for (const [name, a] of Object.entries(content.arrays)) {
    entries.push({ name, dtype: dtypeOf(a), length: a.length, offset });
    offset += a.byteLength;
    offset = Math.ceil(offset / 8) * 8; // keep every array 8-byte aligned
  }
  const payload = Buffer.alloc(offset);
  for (const e of entries) {
    const a = content.arrays[e.name];
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).copy(payload, e.offset);
  }
  const header: Header = { meta: content.meta, arrays: entries, payloadBytes: payload.length, sha256: createHash('sha256').update(payload).digest('hex') };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - ((MAGIC.length + 4 + headerBytes.length) % 8)) % 8;
  const len = Buffer.alloc(4);
  len.writeUInt32LE(headerBytes.length + pad, 0);
  return Buffer.concat([MAGIC, len, headerBytes, Buffer.alloc(pad, 0x20), payload]);
}

export function decodeCheckpoint(buf: Buffer, where = 'checkpoint'): CheckpointContent {
  if (buf.length < MAGIC.length + 4 || !buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new CheckpointCorruptError(`${where}: not a checkpoint file (bad magic)`);
  const headerLen = buf.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4 + headerLen;
  if (start > buf.length) throw new CheckpointCorruptError(`${where}: truncated header`);
  let header: Header;
  try {
    header = JSON.parse(buf.subarray(MAGIC.length + 4, start).toString('utf8')) as Header;
  } catch {
    throw new CheckpointCorruptError(`${where}: unreadable header`);
  }
  const payload = buf.subarray(start);
  if (payload.length !== header.payloadBytes) throw new CheckpointCorruptError(`${where}: payload is ${payload.length} bytes, header says ${header.payloadBytes}`);
  if (createHash('sha256').update(payload).digest('hex') !== header.sha256) throw new CheckpointCorruptError(`${where}: checksum mismatch`);
  const arrays: Record<string, CheckpointArray> = {};
  for (const e of header.arrays) {
    const bytes = payload.subarray(e.offset, e.offset + e.length * BYTES[e.dtype]);
    const copy = new Uint8Array(bytes); // own, aligned buffer
    arrays[e.name] =
      e.dtype === 'float64' ? new Float64Array(copy.buffer) : e.dtype === 'float32' ? new Float32Array(copy.buffer) : new Uint32Array(copy.buffer);
  }
  return { meta: header.meta, arrays };
}

export function readCheckpointFile(file: string): CheckpointContent {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw new CheckpointCorruptError(`checkpoint ${file} cannot be read: ${(e as Error).message}`);
  }
  return decodeCheckpoint(buf, `checkpoint ${file}`);
}

/** Writes `data` to `file` so that `file` is either absent or complete: tmp + fsync + rename + dir fsync. */
export async function writeFileAtomic(file: string, data: Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  await fs.promises.mkdir(dir, { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const fh = await fs.promises.open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.promises.rename(tmp, file);
  const dh = await fs.promises.open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

/** File name of the checkpoint of a step (sortable). */
export function checkpointFileName(step: number): string {
  return `step-${String(step).padStart(10, '0')}.ckpt`;
}
