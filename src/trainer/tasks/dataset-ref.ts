/** Moved: re-export shim for parallel branches; the lead removes it after merging. */
export * from '../../datasets/dataset-ref';
