import { DatasetFormatError } from './errors';
import type { ImageSplit } from './types';

/** CIFAR-10 binary format (Krizhevsky 2009): 1 label byte + 1024 R + 1024 G + 1024 B bytes, row-major 32x32. */
export const CIFAR10_SIDE = 32;
export const CIFAR10_CHANNELS = 3;
export const CIFAR10_PIXELS = CIFAR10_SIDE * CIFAR10_SIDE * CIFAR10_CHANNELS;
export const CIFAR10_RECORD_BYTES = 1 + CIFAR10_PIXELS;
export const CIFAR10_NUM_CLASSES = 10;

/**
 * Checks a CIFAR-10 binary buffer without copying it: whole records only, at least one, every label 0..9.
 * Returns the number of records.
 */
export function checkCifar10Binary(buf: Uint8Array, file: string): number {
  if (buf.length === 0) throw new DatasetFormatError(file, 'file is empty, expected CIFAR-10 binary records', 'notEmpty');
  if (buf.length % CIFAR10_RECORD_BYTES !== 0) {
    throw new DatasetFormatError(
      file,
      `length ${buf.length} is not a multiple of ${CIFAR10_RECORD_BYTES}-byte CIFAR-10 records`,
      'cifar10RecordLength',
    );
  }
  const count = buf.length / CIFAR10_RECORD_BYTES;
  for (let r = 0; r < count; r++) {
    const label = buf[r * CIFAR10_RECORD_BYTES];
    if (label >= CIFAR10_NUM_CLASSES) {
      throw new DatasetFormatError(file, `record ${r} has label ${label}, expected 0..${CIFAR10_NUM_CLASSES - 1}`, 'labelRange');
    }
  }
  return count;
}

/** Parses CIFAR-10 binary records and converts each image from the file's CHW planes to HWC order. */
export function parseCifar10Binary(buf: Buffer, file: string): ImageSplit {
  const count = checkCifar10Binary(buf, file);
  const plane = CIFAR10_SIDE * CIFAR10_SIDE;
  const images = new Uint8Array(count * CIFAR10_PIXELS);
  const labels = new Uint8Array(count);
  for (let r = 0; r < count; r++) {
    const src = r * CIFAR10_RECORD_BYTES;
    labels[r] = buf[src];
    const dst = r * CIFAR10_PIXELS;
    for (let p = 0; p < plane; p++) {
      const o = dst + p * CIFAR10_CHANNELS;
      images[o] = buf[src + 1 + p];
      images[o + 1] = buf[src + 1 + plane + p];
      images[o + 2] = buf[src + 1 + 2 * plane + p];
    }
  }
  return { count, height: CIFAR10_SIDE, width: CIFAR10_SIDE, channels: CIFAR10_CHANNELS, images, labels };
}
