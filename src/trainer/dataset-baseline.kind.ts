/** Moved: re-export shim for parallel branches; the lead removes it after merging. */
export * from '../methods/dataset-baseline/job/dataset-baseline.kind';
export { checkDatasetRef, trainerDatasetRef } from './trainer-job';
