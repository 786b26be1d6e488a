/** Moved: re-export shim for parallel branches; the lead removes it after merging. */
export * from '../../methods/dataset-baseline/training/input';
export { parseDatasetRef } from '../../datasets/dataset-ref';
export type { DatasetRef as BaselineDatasetRef } from '../../datasets/dataset-ref';
