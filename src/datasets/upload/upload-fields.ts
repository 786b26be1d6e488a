import type { DatasetFileRole, StoredDatasetFormat } from '../formats';

export interface UploadFileField {
  /** multipart field name */
  field: string;
  role: DatasetFileRole;
  /** how many files the field may carry (CIFAR-10 train batches are sent one per part, concatenated in order) */
  maxCount: number;
  description: string;
}

/** Multipart file fields of each format, in the order they are hashed and stored. */
export const UPLOAD_FILE_FIELDS: Record<StoredDatasetFormat, readonly UploadFileField[]> = {
  'cifar10-binary': [
    {
      field: 'train',
      role: 'train',
      maxCount: 10,
      description: 'cifar10-binary: training records (1 label byte + 3072 CHW pixel bytes each), optionally gzipped; repeat the field (e.g. data_batch_1..5) to concatenate in order',
    },
    { field: 'test', role: 'test', maxCount: 1, description: 'cifar10-binary: test records (e.g. test_batch.bin), optionally gzipped' },
  ],
  'mnist-idx': [
    { field: 'trainImages', role: 'train-images', maxCount: 1, description: 'mnist-idx: IDX3 ubyte training images (magic 0x00000803), optionally gzipped' },
    { field: 'trainLabels', role: 'train-labels', maxCount: 1, description: 'mnist-idx: IDX1 ubyte training labels 0..9 (magic 0x00000801), optionally gzipped' },
    { field: 'testImages', role: 'test-images', maxCount: 1, description: 'mnist-idx: IDX3 ubyte test images, optionally gzipped' },
    { field: 'testLabels', role: 'test-labels', maxCount: 1, description: 'mnist-idx: IDX1 ubyte test labels 0..9, optionally gzipped' },
  ],
};

export const ALL_UPLOAD_FILE_FIELDS: readonly UploadFileField[] = [...UPLOAD_FILE_FIELDS['cifar10-binary'], ...UPLOAD_FILE_FIELDS['mnist-idx']];

/** Text fields of the multipart body (validated by CreateDatasetBody). */
export const UPLOAD_TEXT_FIELDS = ['name', 'format'] as const;
