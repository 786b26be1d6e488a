import * as zlib from 'node:zlib';
import { DatasetFormatError } from './errors';

/** Rule name of a DatasetFormatError raised when a file decompresses to more than the allowed size. */
export const DECOMPRESSED_TOO_LARGE = 'maxDecompressedBytes';

/** True when the buffer starts with the gzip magic bytes 1f 8b. */
export function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

/** Turns a zlib failure into a DatasetFormatError that names the file. */
export function gunzipError(err: unknown, file: string, maxOutputBytes: number | undefined): DatasetFormatError {
  const e = err as { code?: string; message?: string };
  if (e?.code === 'ERR_BUFFER_TOO_LARGE' || (e instanceof RangeError && maxOutputBytes !== undefined)) {
    return new DatasetFormatError(file, `decompresses to more than ${maxOutputBytes} bytes`, DECOMPRESSED_TOO_LARGE);
  }
  return new DatasetFormatError(file, `corrupt gzip data (${e?.message ?? String(err)})`, 'gzip');
}

/**
 * Gunzips the buffer when it starts with the gzip magic bytes, otherwise returns it unchanged.
 * Concatenated gzip members are decompressed as one stream. `maxOutputBytes` bounds the decompressed size
 * (a "gzip bomb" fails with rule DECOMPRESSED_TOO_LARGE instead of exhausting memory).
 */
export function maybeGunzip(buf: Buffer, file: string, maxOutputBytes?: number): Buffer {
  if (!isGzip(buf)) return buf;
  try {
    return zlib.gunzipSync(buf, maxOutputBytes !== undefined ? { maxOutputLength: maxOutputBytes } : {});
  } catch (err) {
    throw gunzipError(err, file, maxOutputBytes);
  }
}

/** Like maybeGunzip, but decompresses on the libuv thread pool so a large upload does not block the event loop. */
export function maybeGunzipAsync(buf: Buffer, file: string, maxOutputBytes?: number): Promise<Buffer> {
  if (!isGzip(buf)) return Promise.resolve(buf);
  return new Promise((resolve, reject) => {
    zlib.gunzip(buf, maxOutputBytes !== undefined ? { maxOutputLength: maxOutputBytes } : {}, (err, out) => {
      if (err) reject(gunzipError(err, file, maxOutputBytes));
      else resolve(out);
    });
  });
}
