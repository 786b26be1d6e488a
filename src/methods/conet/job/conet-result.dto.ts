import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { LatencyMeasurementDto } from '../../../jobs/dto/latency-lut.dto';
import { EvidenceDto } from '../../../jobs/dto/evidence.dto';
import { TrainerBackendDto } from '../../../jobs/dto/trainer-backend.dto';

// No runtime import of the training ring: the API process must not load TensorFlow.js.
const SIZES = { type: 'object', additionalProperties: { type: 'integer' }, description: 'channel size of every tunable group (group id -> channels)' } as const;

export class ConetGroupDto {
  @ApiProperty({ description: 'Channel group id (Alg. 1)' }) group!: number;
  @ApiProperty({ type: [String], description: 'Feature maps (DAG nodes) whose channels this group sizes' }) nodes!: string[];
  @ApiProperty({ description: 'Starting channel size' }) start!: number;
}

export class ConetLayerTrialDto {
  @ApiProperty() layer!: string;
  @ApiProperty({ description: 'Channel group of its output' }) group!: number;
  @ApiProperty({ type: [Number], description: 'R-bar = (R3 + R4)/2 (Eq. 1) after each epoch of the trial' }) rBar!: number[];
  @ApiProperty({ type: 'array', items: { type: 'number', nullable: true }, description: 'kappa-bar (Eq. 2) after each epoch; null at rank 0' }) kappaBar!: Array<number | null>;
  @ApiProperty({ description: 'Rank slope S over the trial (Eq. 3)' }) slope!: number;
}

export class ConetDecisionDto {
  @ApiProperty() group!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'S of the group (vote)' }) slope!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'kappa-bar of the group (vote)' }) kappaBar!: number | null;
  @ApiProperty({ enum: [-1, 0, 1], description: '-1 shrink, +1 expand, 0 no-op (Alg. 2)' }) action!: number;
  @ApiProperty({ description: 'The action differs from the last one (phi halved, or converged when phi < gamma)' }) flipped!: boolean;
  @ApiProperty() phiBefore!: number;
  @ApiProperty() phiAfter!: number;
  @ApiProperty() channelsBefore!: number;
  @ApiProperty({ description: 'New size by Eq. 4' }) channelsAfter!: number;
  @ApiProperty() converged!: boolean;
}

export class ConetTrialDto {
  @ApiProperty() trial!: number;
  @ApiProperty(SIZES) channels!: Record<string, number>;
  @ApiProperty() params!: number;
  @ApiProperty({ description: 'Multiply-adds of conv and linear layers' }) flops!: number;
  @ApiProperty({ type: 'array', items: { type: 'number', nullable: true }, description: 'Mean training loss per epoch' }) loss!: Array<number | null>;
  @ApiProperty({ type: [ConetLayerTrialDto] }) layers!: ConetLayerTrialDto[];
  @ApiProperty({ type: [ConetDecisionDto] }) decisions!: ConetDecisionDto[];
  @ApiProperty({
    type: 'object',
    nullable: true,
    properties: { copied: { type: 'integer' }, total: { type: 'integer' } },
    description: "null: the trial's network started from a fresh seeded initialisation; else (weights transplant) the values copied from the last trial of the total",
  })
  transplanted!: { copied: number; total: number } | null;
  @ApiProperty({ type: 'object', properties: { train: { type: 'number' }, measure: { type: 'number' } }, description: 'Seconds training and measuring (EVBMF)' })
  seconds!: { train: number; measure: number };
}

export class ConetRetrainDto {
  @ApiProperty() epochs!: number;
  @ApiProperty({ description: '0..1' }) testAccuracy!: number;
  @ApiProperty() testLoss!: number;
  @ApiProperty() testImages!: number;
  @ApiProperty({ type: [Number] }) trainLoss!: number[];
}

export class ConetRunDto {
  @ApiProperty() delta!: number;
  @ApiProperty({ type: String, nullable: true, enum: ['converged', 'trial-limit'] }) stopReason!: string | null;
  @ApiProperty({ type: [ConetTrialDto] }) trials!: ConetTrialDto[];
  @ApiProperty({ ...SIZES, description: 'Sizes after the last decision' }) finalSizes!: Record<string, number>;
  @ApiProperty() params!: number;
  @ApiProperty() flops!: number;
  @ApiProperty({ type: ConetRetrainDto, nullable: true }) retrain!: ConetRetrainDto | null;
}

export class ConetCurvePointDto {
  @ApiProperty() delta!: number;
  @ApiProperty() params!: number;
  @ApiProperty() flops!: number;
  @ApiProperty({ type: Number, nullable: true, description: "Per-layer LUT latency (ms) on the service's backend with a latency target (see latency); null otherwise" }) latencyMs!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Retrained test accuracy; null without retrain' }) accuracy!: number | null;
  @ApiProperty({ description: 'Another point has at most its params and a higher accuracy' }) dominated!: boolean;
}

export class ConetLatencyDto {
  @ApiProperty({ type: [Number], description: 'LUT latency (ms) of each sweep point, in sweep order' }) perRun!: number[];
  @ApiProperty({ description: 'Backend the layers were measured on (the trainer\'s)' }) backend!: string;
  @ApiProperty({ type: Number, nullable: true }) threads!: number | null;
  @ApiProperty() machine!: string;
  @ApiProperty() space!: string;
  @ApiProperty({ description: 'Layers in the table used' }) entries!: number;
  @ApiProperty({ description: 'Layers this job measured (absent from the cached table)' }) measuredNow!: number;
  @ApiProperty() measureSeconds!: number;
  @ApiProperty({ description: 'A cached team table was used' }) fromCache!: boolean;
  @ApiProperty({ type: LatencyMeasurementDto }) measurement!: LatencyMeasurementDto;
  @ApiProperty({ description: '"LUT prediction: ..."' }) provenance!: string;
}

export class ConetFinalDto {
  @ApiProperty() delta!: number;
  @ApiProperty(SIZES) sizes!: Record<string, number>;
  @ApiProperty() params!: number;
  @ApiProperty() flops!: number;
  @ApiProperty({ type: Number, nullable: true }) testAccuracy!: number | null;
  @ApiProperty({ description: 'Why this point of the sweep' }) chosenBy!: string;
}

/** OpenAPI description of the result of a `conet` job. */
export class ConetResultDto {
  @ApiProperty({ type: TrainerBackendDto }) backend!: TrainerBackendDto;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The network: kind resnet (blocksPerStage, stageChannels) or nb201 (arch, C, N); source preset or model-file, modelFormat' })
  network!: Record<string, unknown>;
  @ApiProperty({ type: [ConetGroupDto] }) groups!: ConetGroupDto[];
  @ApiProperty() dataset!: string;
  @ApiProperty() datasetSource!: string;
  @ApiProperty() numClasses!: number;
  @ApiProperty({ type: [Number] }) imageShape!: number[];
  @ApiProperty() trainImages!: number;
  @ApiProperty({ type: Number, nullable: true }) testImages!: number | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'mu, gamma, phi0, maxTrials, channel bounds, vote, stopRule, spectrum' }) alg2!: Record<string, unknown>;
  @ApiProperty({ enum: ['restart', 'transplant'], description: "Weights of each trial's network: 'restart' (seeded initialisation) or 'transplant' (the last trial's, channel-sliced)" })
  weights!: 'restart' | 'transplant';
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'epochsPerTrial, batch, lr ..., shortened, description' }) schedule!: Record<string, unknown>;
  @ApiProperty({ type: 'object', properties: { sizes: SIZES, params: { type: 'number' }, flops: { type: 'number' } } }) start!: { sizes: Record<string, number>; params: number; flops: number };
  @ApiProperty({ type: [ConetRunDto], description: 'One CONet search per delta' }) runs!: ConetRunDto[];
  @ApiProperty({ type: [ConetCurvePointDto], description: 'Trade-off curve of the sweep, by delta' }) curve!: ConetCurvePointDto[];
  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true, description: 'The target given, its rule, and whether the chosen point meets it' }) target!: Record<string, unknown> | null;
  @ApiProperty({ type: ConetFinalDto }) final!: ConetFinalDto;
  @ApiProperty({ type: String, nullable: true, description: 'Format of the exported model (conet-layers-model/1) or null' }) exportFormat!: string | null;
  @ApiPropertyOptional({ format: 'uuid', description: 'The `model` artefact holding the exported final network (absent when not exported)' }) modelArtifactId?: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Trials + retrains done before this attempt resumed; null for an uninterrupted run' }) resumedAfterSteps!: number | null;
  @ApiProperty({ description: 'Seconds of trials and retrains' }) seconds!: number;
  @ApiProperty({ type: [String] }) notes!: string[];
  @ApiProperty({ type: EvidenceDto }) evidence!: EvidenceDto;
  @ApiPropertyOptional({ type: ConetLatencyDto, description: 'With a latency target: where the per-layer LUT was measured and how much this job measured' }) latency?: ConetLatencyDto;
  @ApiPropertyOptional({ format: 'uuid', description: 'The grown `latency-table` artefact (when this job measured layers the cached table lacked)' }) latencyTableArtifactId?: string;
}
