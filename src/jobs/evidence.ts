/**
 * The `evidence` block every job result carries: what was evaluated how, on which data, with which schedule, on
 * which backend, and how it compares with ground truth when there is one. A reader can tell a benchmark lookup from
 * a supernet estimate from a stand-alone training run, and a shortened run from a full one, without reading the
 * method's own fields. Plain TypeScript (built in trainer processes and pool threads); the OpenAPI description is
 * src/jobs/dto/evidence.dto.ts.
 */

/** How the reported accuracies were obtained. */
export const EVALUATIONS = ['benchmark-lookup', 'supernet', 'stand-alone-training'] as const;
export type Evaluation = (typeof EVALUATIONS)[number];

export interface EvidenceData {
  /** Dataset as the job named it. */
  dataset: string;
  /** Where its images came from (files, benchmark table). */
  source: string;
  /** Images trained on; null when nothing was trained (benchmark lookup). */
  trainImages: number | null;
  /** Images the reported accuracy was measured on; null when it comes from a benchmark table. */
  evalImages: number | null;
  /** True when only part of the dataset was used (a subset, a first-N slice). */
  subset: boolean;
}

export interface EvidenceSchedule {
  /** Training epochs behind the reported accuracy (for a lookup: the benchmark's own schedule). */
  epochs: number | null;
  /** True when shorter than the reference schedule of the method's paper or benchmark. */
  shortened: boolean;
  description: string;
}

export interface EvidenceBackend {
  name: string;
  reason: string;
}

export interface EvidenceGroundTruth {
  /** The ground truth, e.g. 'NAS-Bench-201 cifar10 test accuracy (%) after 200 epochs'. */
  benchmark: string;
  /** What was compared with it, in words. */
  comparison: string;
  /** The comparison's figures by name (regret in pp, Kendall tau ...); null when it could not be computed. */
  figures: Record<string, number | null>;
}

export interface Evidence {
  evaluation: Evaluation;
  /** One sentence: what was evaluated how. */
  description: string;
  data: EvidenceData;
  schedule: EvidenceSchedule;
  /** Where the computation ran; null for a benchmark lookup (nothing trained). */
  backend: EvidenceBackend | null;
  /** Comparison with ground truth; null when the method's data has none (the reason is in `description`). */
  groundTruth: EvidenceGroundTruth | null;
}
