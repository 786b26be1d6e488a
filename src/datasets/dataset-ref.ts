import { UnprocessableError } from '../common/errors';
import { DatasetFormatError, ImageDataset, ImageSplit, loadBuiltinDataset, loadStoredDataset } from './formats';
import type { BaselineDatasetRef } from '../methods/dataset-baseline/training/input';

/** Loads a builtin or uploaded dataset for a trainer task; an unreadable one is a 422 naming the dataset and the problem. */
export function loadDatasetRef(ref: BaselineDatasetRef): ImageDataset {
  try {
    return ref.kind === 'builtin' ? loadBuiltinDataset(ref.name, ref.dataDir) : loadStoredDataset(ref.dir, ref.format, ref.files, ref.name);
  } catch (e) {
    if (e instanceof DatasetFormatError) throw new UnprocessableError(`dataset ${ref.name} cannot be read: ${e.message}`);
    throw e;
  }
}

/** The first `n` images of a split (a view, no copy); the whole split when n is null or not smaller. */
export function firstImages(s: ImageSplit, n: number | null): ImageSplit {
  if (n === null || n >= s.count) return s;
  const size = s.height * s.width * s.channels;
  return { ...s, count: n, images: s.images.subarray(0, n * size), labels: s.labels.subarray(0, n) };
}
