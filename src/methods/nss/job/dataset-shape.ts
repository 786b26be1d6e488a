/**
 * Image shape and class count of a dataset the job names, without loading its images (the NSS space and its FLOPs
 * depend on them, and a job with an unreachable target is refused before it is created): builtins by name, an
 * uploaded CIFAR-10 binary is 32x32x3, an uploaded MNIST IDX set reads the 16-byte header of its train images.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UnprocessableError } from '../../../common/errors';
import type { DatasetRef } from '../../../datasets/dataset-ref';

export interface DatasetShape {
  imageShape: [number, number, number];
  numClasses: number;
}

const BUILTIN: Readonly<Record<string, DatasetShape>> = {
  'cifar10-subset': { imageShape: [32, 32, 3], numClasses: 10 },
  mnist: { imageShape: [28, 28, 1], numClasses: 10 },
  'fashion-mnist': { imageShape: [28, 28, 1], numClasses: 10 },
};

export function datasetShape(ref: DatasetRef): DatasetShape {
  if (ref.kind === 'builtin') return BUILTIN[ref.name];
  if (ref.format === 'cifar10-binary') return { imageShape: [32, 32, 3], numClasses: 10 };
  const file = path.join(ref.dir, ref.files['train-images'] ?? '');
  const head = Buffer.alloc(16);
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'r');
    if (fs.readSync(fd, head, 0, 16, 0) !== 16) throw new Error('short header');
  } catch (e) {
    throw new UnprocessableError(`dataset ${ref.name}: its train images cannot be read (${(e as Error).message})`);
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
  return { imageShape: [head.readUInt32BE(8), head.readUInt32BE(12), 1], numClasses: 10 };
}
