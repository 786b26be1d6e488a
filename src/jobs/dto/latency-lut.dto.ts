import { ApiProperty } from '@nestjs/swagger';

/** How a latency look-up table was measured (src/search/spaces/cost/latency.ts). */
export class LatencyMeasurementDto {
  @ApiProperty({ description: 'Untimed warm-up runs per unit' }) warmup!: number;
  @ApiProperty({ description: 'Timed runs per unit; the entry is their median' }) runs!: number;
  @ApiProperty({ enum: ['median'] }) statistic!: string;
  @ApiProperty({ description: 'Batch size of the timed runs (1)' }) batchSize!: number;
  @ApiProperty({ description: 'What one timed run covers' }) timer!: string;
}

/** Where a job's latency table came from: a cached `latency-table` artefact or built by the job. */
export class LatencyTableSourceDto {
  @ApiProperty({ type: String, nullable: true, description: 'The `latency-table` artefact (cached or created by this job)' }) artifactId!: string | null;
  @ApiProperty({ description: 'true: built by this job (buildSeconds is its build time); false: a cached table was reused' }) built!: boolean;
  @ApiProperty({ type: Number, nullable: true, description: 'Wall seconds this job spent building the table' }) buildSeconds!: number | null;
  @ApiProperty({ description: 'Units (keys) in the table' }) entries!: number;
  @ApiProperty({ description: 'TensorFlow.js backend the units were measured on (the trainer\'s inference backend)' }) backend!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Backend threads (wasm), null when the backend has none' }) threads!: number | null;
  @ApiProperty({ description: 'CPU model x count and host of the measuring machine' }) machine!: string;
  @ApiProperty({ description: 'Space id the keys were enumerated from' }) space!: string;
}

/** The latency part of a result: every latency figure is a LUT prediction on the named backend. */
export class LatencyLutResultDto {
  @ApiProperty({ description: 'Backend the table was measured on' }) backend!: string;
  @ApiProperty({ type: Number, nullable: true }) threads!: number | null;
  @ApiProperty() machine!: string;
  @ApiProperty() space!: string;
  @ApiProperty() entries!: number;
  @ApiProperty({ type: LatencyMeasurementDto }) measurement!: LatencyMeasurementDto;
  @ApiProperty({ description: '"LUT prediction: ..." — what the latency figures are and where they were measured' }) provenance!: string;
  @ApiProperty({ type: LatencyTableSourceDto }) table!: LatencyTableSourceDto;
}

/** ScaleNet: latency budgets l_0..l_M and the LUT. */
export class ScaleNetLatencyResultDto extends LatencyLutResultDto {
  @ApiProperty({ type: [Number], description: 'Latency budgets l_0..l_M (ms), caps' }) budgetsMs!: number[];
  @ApiProperty({ enum: ['max'] }) mode!: string;
  @ApiProperty({ description: 'Whether the FLOPs budgets were enforced too (only when spec.budgets was given)' }) flopsEnforced!: boolean;
  @ApiProperty({ type: [Number], description: "LUT latency (ms) of each scaling stage's fastest path" }) fastestMs!: number[];
}

