import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ScaleNetLatencyResultDto } from '../../../jobs/dto/latency-lut.dto';
import { EvidenceDto } from '../../../jobs/dto/evidence.dto';
import { TrainerBackendDto } from '../../../jobs/dto/trainer-backend.dto';

// No runtime import of the trainer engine: the API process must not load TensorFlow.js.

export class ScaleNetBlockDto {
  @ApiProperty({ description: 'Expand rate e' }) expand!: number;
  @ApiProperty({ description: 'Depthwise kernel size' }) kernel!: number;
  @ApiProperty({ description: 'Squeeze-and-excitation on' }) se!: boolean;
}

export class ScaleNetChannelsDto {
  @ApiProperty() stem!: number;
  @ApiProperty({ type: [Number], description: 'Output channels of MBConv stages 1..7' }) stages!: number[];
  @ApiProperty({ description: 'Conv_out channels (not width-scaled)' }) head!: number;
}

/** One row of the family table. */
export class ScaleNetFamilyMemberDto {
  @ApiProperty({ description: 'Scaling stage j (S0 = base model)' }) stage!: number;
  @ApiProperty({ enum: ['searched', 'generalised'] }) origin!: string;
  @ApiProperty() d!: number;
  @ApiProperty() w!: number;
  @ApiProperty() r!: number;
  @ApiProperty({ type: [Number], description: 'Blocks per MBConv stage (Eq. 28)' }) blocksPerStage!: number[];
  @ApiProperty({ type: 'array', items: { type: 'array', items: { type: 'object', properties: { expand: { type: 'integer' }, kernel: { type: 'integer' }, se: { type: 'boolean' } }, required: ['expand', 'kernel', 'se'] } }, description: 'Blocks of each stage' })
  blocks!: ScaleNetBlockDto[][];
  @ApiProperty({ type: ScaleNetChannelsDto }) channels!: ScaleNetChannelsDto;
  @ApiProperty({ description: 'Input resolution (Eq. 30)' }) resolution!: number;
  @ApiProperty({ description: 'Exact multiply-adds (the paper\'s FLOPs)' }) flops!: number;
  @ApiProperty({ description: 'Exact parameters (BN scale/shift included)' }) params!: number;
  @ApiProperty({ description: 'Budget f_j (2^j f0 beyond M)' }) budget!: number;
  @ApiProperty() withinBudget!: boolean;
  @ApiProperty({ type: Number, nullable: true, description: 'Held-out accuracy by the supernet (proxy, BN recalibrated)' }) supernetAccuracy!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Accuracy after retraining from scratch (when asked)' }) retrainedAccuracy!: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'LUT-predicted latency in ms on the backend of result.latency (with spec.maxLatencyMs; null beyond the table)' }) latencyMs?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Latency budget l_j in ms (2^j l0 beyond M)' }) latencyBudgetMs?: number | null;
  @ApiPropertyOptional({ type: Boolean, nullable: true }) withinLatencyBudget?: boolean | null;
}

export class ScaleNetSearchCostDto {
  @ApiProperty({ description: 'Wall time of the (last) attempt in the trainer process' }) wallSeconds!: number;
  @ApiProperty() trainSeconds!: number;
  @ApiProperty() searchSeconds!: number;
  @ApiProperty({ description: 'Training images seen by the super-supernet' }) trainImages!: number;
  @ApiProperty({ description: 'Images forwarded for evaluations (BN recalibration + held-out)' }) evalImagesForwarded!: number;
  @ApiProperty() pathsEvaluated!: number;
  @ApiProperty() backend!: string;
}

export class ScaleNetMemberArtifactDto {
  @ApiProperty({ description: 'Scaling stage j' }) stage!: number;
  @ApiProperty({ description: 'Artefact id of the member\'s LayersModel bundle' }) model!: string;
}

export class ScaleNetMemberRetrainDto {
  @ApiProperty() stage!: number;
  @ApiProperty({ description: 'Top-1 accuracy on the test images' }) testAccuracy!: number;
  @ApiProperty() testLoss!: number;
  @ApiProperty() testImages!: number;
  @ApiProperty({ type: [Number], description: 'Mean training loss per epoch' }) trainLoss!: number[];
  @ApiProperty() steps!: number;
  @ApiProperty() seconds!: number;
  @ApiProperty({ description: 'Parameters of the stand-alone member (BN scale/shift included)' }) params!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Always null in a job result (the bundle is the member\'s `model` artefact)' }) file!: string | null;
}

export class ScaleNetRetrainDto {
  @ApiProperty() epochs!: number;
  @ApiProperty() lr!: number;
  @ApiProperty() batchSize!: number;
  @ApiProperty() trainImages!: number;
  @ApiProperty() testImages!: number;
  @ApiProperty() augment!: string;
  @ApiProperty({ description: 'Always true here: a short schedule, not the paper\'s 350 ImageNet epochs' }) shortened!: boolean;
  @ApiProperty() description!: string;
  @ApiProperty() seconds!: number;
  @ApiProperty({ type: [ScaleNetMemberRetrainDto] }) members!: ScaleNetMemberRetrainDto[];
}

export class ScaleNetArtifactsDto {
  @ApiProperty({ type: String, nullable: true, description: 'The trained super-supernet (`supernet` artefact); null when reused' }) supernet!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The family as JSON (`model-family` artefact)' }) family!: string | null;
  @ApiProperty({ type: [ScaleNetMemberArtifactDto], description: 'Retrained members as TensorFlow.js LayersModel bundles (`model` artefacts, format scalenet-layers-model/1); empty without retraining' })
  members!: ScaleNetMemberArtifactDto[];
}

/** OpenAPI description of the result of `scalenet-family` jobs. */
export class ScaleNetFamilyResultDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Preset (name, what it is, channels, classes, base resolution)' }) preset!: object;
  @ApiProperty({ type: 'object', additionalProperties: true }) dataset!: object;
  @ApiProperty({ type: TrainerBackendDto }) backend!: TrainerBackendDto;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Budgets f_0..f_M, their source, band mode/tolerance, the f0 Monte Carlo estimate' }) budgets!: object;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Searched base model alpha: blocks per stage' }) base!: object;
  @ApiProperty({ type: [ScaleNetFamilyMemberDto], description: 'The family table S0..S_generaliseTo' }) family!: ScaleNetFamilyMemberDto[];
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Searched S_0..S_M, generalised S_{M+1}.., the fitted a0/a1 with residuals for Eq. 9, 23 and 26' }) strategies!: object;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'MCEA configuration, Eq. 4 objective, evaluations and per-iteration history' }) mcea!: object;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Super-supernet training: sampler, schedule, losses, images/s' }) supernet!: object;
  @ApiProperty({ type: ScaleNetSearchCostDto }) searchCost!: ScaleNetSearchCostDto;
  @ApiProperty({ type: EvidenceDto }) evidence!: EvidenceDto;
  @ApiProperty({ type: ScaleNetRetrainDto, nullable: true, description: 'Retraining from scratch (spec.retrainEpochs > 0); null when not asked' }) retrain!: ScaleNetRetrainDto | null;
  @ApiProperty({ type: ScaleNetArtifactsDto }) artifacts!: ScaleNetArtifactsDto;
  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true }) resumedFrom!: object | null;
  @ApiProperty({ type: [String] }) notes!: string[];
  @ApiPropertyOptional({ type: ScaleNetLatencyResultDto, description: 'With spec.maxLatencyMs: the latency budgets and the LUT (backend, how measured, cached or built here)' }) latency?: ScaleNetLatencyResultDto;
}
