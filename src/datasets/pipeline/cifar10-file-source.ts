import * as fs from 'node:fs';
import * as path from 'node:path';
import { CIFAR10_CHANNELS, CIFAR10_NUM_CLASSES, CIFAR10_RECORD_BYTES, CIFAR10_SIDE, parseCifar10Binary } from '../formats/cifar10';
import { readDatasetFile } from '../formats/dataset-files';
import { DatasetFormatError } from '../formats/errors';
import { isGzip, maybeGunzip } from '../formats/gzip';
import { splitSource } from './memory-source';
import type { ImageSource } from './types';

const PLANE = CIFAR10_SIDE * CIFAR10_SIDE;
const LABEL_SCAN_RECORDS = 1024;

function openError(file: string, filePath: string, err: unknown): DatasetFormatError {
  const e = err as NodeJS.ErrnoException;
  return new DatasetFormatError(file, `cannot read ${filePath} (${e.code ?? e.message})`, 'readable');
}

/** Opens a dataset file for reading; failure is a DatasetFormatError naming the file. */
function openForRead(filePath: string, file: string): number {
  try {
    return fs.openSync(filePath, 'r');
  } catch (err) {
    throw openError(file, filePath, err);
  }
}

/**
 * An uncompressed CIFAR-10 binary file read record by record: opening checks the size (whole 3,073-byte records)
 * and scans the label bytes (1 byte per image stays in memory, chunked reads); readPixels reads only the requested
 * records with fs.readSync at offset index * 3073 and converts CHW planes to HWC. For files too big to hold in memory.
 * Call close() when done.
 */
export class Cifar10FileSource implements ImageSource {
  readonly height = CIFAR10_SIDE;
  readonly width = CIFAR10_SIDE;
  readonly channels = CIFAR10_CHANNELS;
  readonly count: number;
  readonly labels: Uint8Array;
  private fd: number | null;
  private readonly record = new Uint8Array(CIFAR10_RECORD_BYTES);

  /** `name` is the file name used in errors (default: the base name of filePath). */
  constructor(
    private readonly filePath: string,
    readonly name: string = path.basename(filePath),
  ) {
    const fd = openForRead(filePath, name);
    try {
      const size = fs.fstatSync(fd).size;
      if (size === 0) throw new DatasetFormatError(name, 'file is empty, expected CIFAR-10 binary records', 'notEmpty');
      if (size % CIFAR10_RECORD_BYTES !== 0) {
        throw new DatasetFormatError(name, `length ${size} is not a multiple of ${CIFAR10_RECORD_BYTES}-byte CIFAR-10 records`, 'cifar10RecordLength');
      }
      this.count = size / CIFAR10_RECORD_BYTES;
      this.labels = this.scanLabels(fd);
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    this.fd = fd;
  }

  private scanLabels(fd: number): Uint8Array {
    const labels = new Uint8Array(this.count);
    const chunk = Buffer.allocUnsafe(LABEL_SCAN_RECORDS * CIFAR10_RECORD_BYTES);
    for (let r0 = 0; r0 < this.count; r0 += LABEL_SCAN_RECORDS) {
      const n = Math.min(LABEL_SCAN_RECORDS, this.count - r0);
      this.readFully(fd, chunk, n * CIFAR10_RECORD_BYTES, r0 * CIFAR10_RECORD_BYTES);
      for (let k = 0; k < n; k++) {
        const label = chunk[k * CIFAR10_RECORD_BYTES];
        if (label >= CIFAR10_NUM_CLASSES) {
          throw new DatasetFormatError(this.name, `record ${r0 + k} has label ${label}, expected 0..${CIFAR10_NUM_CLASSES - 1}`, 'labelRange');
        }
        labels[r0 + k] = label;
      }
    }
    return labels;
  }

  private readFully(fd: number, buf: Uint8Array, length: number, position: number): void {
    let done = 0;
    while (done < length) {
      let got: number;
      try {
        got = fs.readSync(fd, buf, done, length - done, position + done);
      } catch (err) {
        throw openError(this.name, this.filePath, err);
      }
      if (got === 0) {
        throw new DatasetFormatError(this.name, `file ended at byte ${position + done}, expected ${length - done} more (was it truncated?)`, 'cifar10RecordLength');
      }
      done += got;
    }
  }

  readPixels(indices: ArrayLike<number>, out: Uint8Array): void {
    if (this.fd === null) throw new DatasetFormatError(this.name, 'source is closed', 'closed');
    const rec = this.record;
    for (let k = 0; k < indices.length; k++) {
      this.readFully(this.fd, rec, CIFAR10_RECORD_BYTES, indices[k] * CIFAR10_RECORD_BYTES);
      const dst = k * PLANE * CIFAR10_CHANNELS;
      for (let p = 0; p < PLANE; p++) {
        const o = dst + p * CIFAR10_CHANNELS;
        out[o] = rec[1 + p];
        out[o + 1] = rec[1 + PLANE + p];
        out[o + 2] = rec[1 + 2 * PLANE + p];
      }
    }
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * A CIFAR-10 binary file as an ImageSource: uncompressed files are read record by record (Cifar10FileSource); gzip
 * files cannot be read at record offsets, so they are decompressed and held in memory whole.
 */
export function openCifar10Source(filePath: string, name: string = path.basename(filePath)): ImageSource {
  const head = Buffer.alloc(2);
  const fd = openForRead(filePath, name);
  try {
    fs.readSync(fd, head, 0, 2, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (!isGzip(head)) return new Cifar10FileSource(filePath, name);
  return splitSource(parseCifar10Binary(maybeGunzip(readDatasetFile(filePath, name), name), name), name);
}
