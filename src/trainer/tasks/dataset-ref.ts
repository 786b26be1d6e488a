import { UnprocessableError } from '../../common/errors';
import { DatasetFormatError, ImageDataset, loadBuiltinDataset, loadStoredDataset } from '../../datasets/formats';
import type { BaselineDatasetRef } from './linear-baseline-input';

/** Loads a builtin or uploaded dataset for a trainer task; an unreadable one is a 422 naming the dataset and the problem. */
export function loadDatasetRef(ref: BaselineDatasetRef): ImageDataset {
  try {
    return ref.kind === 'builtin' ? loadBuiltinDataset(ref.name, ref.dataDir) : loadStoredDataset(ref.dir, ref.format, ref.files, ref.name);
  } catch (e) {
    if (e instanceof DatasetFormatError) throw new UnprocessableError(`dataset ${ref.name} cannot be read: ${e.message}`);
    throw e;
  }
}
