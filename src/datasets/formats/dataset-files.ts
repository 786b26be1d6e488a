import * as fs from 'node:fs';
import * as path from 'node:path';
import { CIFAR10_CHANNELS, CIFAR10_NUM_CLASSES, CIFAR10_SIDE, checkCifar10Binary, parseCifar10Binary } from './cifar10';
import { DatasetFormatError } from './errors';
import { maybeGunzip } from './gzip';
import { checkLabelCount, checkLabelRange, idxLabelsView, parseIdxImages, parseIdxLabels, readIdxImagesHeader } from './idx';
import type { ImageDataset, ImageSplit } from './types';

export const STORED_DATASET_FORMATS = ['cifar10-binary', 'mnist-idx'] as const;
export type StoredDatasetFormat = (typeof STORED_DATASET_FORMATS)[number];

/** MNIST-style IDX datasets are 10-class digit/garment sets: labels must be 0..9. */
export const MNIST_NUM_CLASSES = 10;

/** The file roles of each format: keys of the `files` record of a stored dataset. */
export const DATASET_FILE_ROLES = {
  'cifar10-binary': ['train', 'test'],
  'mnist-idx': ['train-images', 'train-labels', 'test-images', 'test-labels'],
} as const satisfies Record<StoredDatasetFormat, readonly string[]>;

export type Cifar10Role = (typeof DATASET_FILE_ROLES)['cifar10-binary'][number];
export type MnistIdxRole = (typeof DATASET_FILE_ROLES)['mnist-idx'][number];
export type DatasetFileRole = Cifar10Role | MnistIdxRole;

/** File name a role is stored under (decompressed): CIFAR-10 `.bin` records, MNIST the official IDX names. */
export function storedFileName(format: StoredDatasetFormat, role: DatasetFileRole): string {
  return format === 'cifar10-binary' ? `${role}.bin` : `${role}-idx${role.endsWith('images') ? 3 : 1}-ubyte`;
}

export interface DatasetSummary {
  numTrain: number;
  numTest: number;
  numClasses: number;
  /** [height, width, channels] */
  imageShape: [number, number, number];
}

/** Display name of each role in error messages (an upload field name, a file name, ...). */
export type RoleNames = Partial<Record<DatasetFileRole, string>>;

function need<T>(files: Partial<Record<string, T>>, role: string, names: RoleNames): T {
  const v = files[role];
  if (v === undefined) throw new DatasetFormatError(names[role as DatasetFileRole] ?? role, 'file is missing', 'required');
  return v;
}

/**
 * Validates the (decompressed) files of a dataset without copying their pixels and returns its shape.
 * Train and test must have the same image size; labels must pair up with images and lie in range.
 */
export function summarizeDataset(format: StoredDatasetFormat, files: Partial<Record<DatasetFileRole, Uint8Array>>, names: RoleNames = {}): DatasetSummary {
  const n = (role: DatasetFileRole): string => names[role] ?? role;
  if (format === 'cifar10-binary') {
    const numTrain = checkCifar10Binary(need(files, 'train', names), n('train'));
    const numTest = checkCifar10Binary(need(files, 'test', names), n('test'));
    return { numTrain, numTest, numClasses: CIFAR10_NUM_CLASSES, imageShape: [CIFAR10_SIDE, CIFAR10_SIDE, CIFAR10_CHANNELS] };
  }
  const split = (imagesRole: MnistIdxRole, labelsRole: MnistIdxRole): { count: number; height: number; width: number } => {
    const h = readIdxImagesHeader(need(files, imagesRole, names), n(imagesRole));
    const labels = idxLabelsView(need(files, labelsRole, names), n(labelsRole));
    checkLabelCount(labels.length, h.count, n(labelsRole));
    checkLabelRange(labels, MNIST_NUM_CLASSES, n(labelsRole));
    return h;
  };
  const train = split('train-images', 'train-labels');
  const test = split('test-images', 'test-labels');
  checkSameShape(train, test, n('test-images'));
  return { numTrain: train.count, numTest: test.count, numClasses: MNIST_NUM_CLASSES, imageShape: [train.height, train.width, 1] };
}

function checkSameShape(train: { height: number; width: number }, test: { height: number; width: number }, testFile: string): void {
  if (train.height !== test.height || train.width !== test.width) {
    throw new DatasetFormatError(testFile, `test images are ${test.height}x${test.width} but train images are ${train.height}x${train.width}`, 'sameImageShape');
  }
}

/** Reads a dataset file; a missing or unreadable file becomes a DatasetFormatError naming it. */
export function readDatasetFile(filePath: string, file: string): Buffer {
  try {
    return fs.readFileSync(filePath);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new DatasetFormatError(file, `cannot read ${filePath} (${e.code ?? e.message})`, 'readable');
  }
}

/** One MNIST-style split from its IDX image and label files (labels 0..9, counts equal). */
export function parseMnistSplit(imagesBuf: Buffer, labelsBuf: Buffer, imagesFile: string, labelsFile: string): ImageSplit {
  const img = parseIdxImages(imagesBuf, imagesFile);
  const labels = parseIdxLabels(labelsBuf, labelsFile);
  checkLabelCount(labels.length, img.count, labelsFile);
  checkLabelRange(labels, MNIST_NUM_CLASSES, labelsFile);
  return { count: img.count, height: img.height, width: img.width, channels: 1, images: img.images, labels };
}

/** Loads the files of a format from a directory (each may be gzipped). `files` maps role -> file name in `dir`. */
export function loadDatasetFiles(dir: string, format: StoredDatasetFormat, files: Record<string, string>): { train: ImageSplit; test: ImageSplit; numClasses: number } {
  const read = (role: DatasetFileRole): Buffer => {
    const name = files[role];
    if (typeof name !== 'string' || name === '') throw new DatasetFormatError(role, `no file is recorded for role "${role}"`, 'required');
    if (path.basename(name) !== name) throw new DatasetFormatError(role, `file name "${name}" must not contain a path`, 'fileName');
    return maybeGunzip(readDatasetFile(path.join(dir, name), name), name);
  };
  if (format === 'cifar10-binary') {
    const train = parseCifar10Binary(read('train'), files.train);
    const test = parseCifar10Binary(read('test'), files.test);
    return { train, test, numClasses: CIFAR10_NUM_CLASSES };
  }
  if (format === 'mnist-idx') {
    const f = files as Record<MnistIdxRole, string>;
    const train = parseMnistSplit(read('train-images'), read('train-labels'), f['train-images'], f['train-labels']);
    const test = parseMnistSplit(read('test-images'), read('test-labels'), f['test-images'], f['test-labels']);
    checkSameShape(train, test, f['test-images']);
    return { train, test, numClasses: MNIST_NUM_CLASSES };
  }
  throw new DatasetFormatError(dir, `unknown dataset format "${String(format)}"`, 'format');
}

/** An uploaded dataset as stored by the datasets service: `files` is the row's role -> file name record. */
export function loadStoredDataset(dir: string, format: StoredDatasetFormat, files: Record<string, string>, name: string): ImageDataset {
  const { train, test, numClasses } = loadDatasetFiles(dir, format, files);
  return { name, numClasses, train, test, source: `uploaded:${name} (${format}, ${dir}, ${train.count} train / ${test.count} test)` };
}
