/**
 * Pure readers of image-classification datasets (no Nest, no database): usable from the API, job runners,
 * Piscina workers and tests alike.
 */
export type { ImageDataset, ImageSplit } from './types';
export { DatasetFormatError } from './errors';
export { DECOMPRESSED_TOO_LARGE, isGzip, maybeGunzip, maybeGunzipAsync } from './gzip';
export { CIFAR10_NUM_CLASSES, CIFAR10_RECORD_BYTES, checkCifar10Binary, parseCifar10Binary } from './cifar10';
export { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdxImages, parseIdxLabels, readIdxImagesHeader } from './idx';
export type { BuiltinDatasetName } from './builtin';
export { BUILTIN_DATASETS, isBuiltinDatasetName, loadBuiltinDataset } from './builtin';
export { FASHION_MNIST_SPLIT_SEED, fashionMnistPackageDir, loadFashionMnist } from './fashion-mnist';
export type { DatasetFileRole, DatasetSummary, RoleNames, StoredDatasetFormat } from './dataset-files';
export {
  DATASET_FILE_ROLES,
  MNIST_NUM_CLASSES,
  STORED_DATASET_FORMATS,
  loadStoredDataset,
  storedFileName,
  summarizeDataset,
} from './dataset-files';
export { Cifar10StreamCheck, IDX_MAX_IMAGE_PIXELS, IdxStreamCheck, ImageBudget, TOO_MANY_IMAGES } from './stream-check';
export type { StreamCheck } from './stream-check';
