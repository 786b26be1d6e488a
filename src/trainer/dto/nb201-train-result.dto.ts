/** Moved: re-export shim for parallel branches; the lead removes it after merging. */
export * from '../../methods/nb201-train/job/nb201-train-result.dto';
export { TrainerBackendDto } from '../../jobs/dto/trainer-backend.dto';
