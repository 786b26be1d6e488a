import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { LatencyLutResultDto } from '../../../jobs/dto/latency-lut.dto';
import { EvidenceDto } from '../../../jobs/dto/evidence.dto';
import { TrainerBackendDto } from '../../../jobs/dto/trainer-backend.dto';

/** OpenAPI description of the results of `nss-elite-space` and `nss-search` (the jobs' results are their trainer tasks'). */


export class NssStageRangesDto {
  @ApiProperty({ type: [Number], description: 'Inclusive depth range [lo, hi] (blocks)' }) depth!: [number, number];
  @ApiProperty({ type: [Number], description: 'Inclusive width range [lo, hi] (channels)' }) width!: [number, number];
}

export class NssExpandedSearchSpaceDto {
  @ApiProperty() dMax!: number;
  @ApiProperty() wMax!: number;
  @ApiProperty({ description: 'Consecutive depths per network space' }) depthsPerSpace!: number;
  @ApiProperty({ description: 'Consecutive widths per network space' }) widthsPerSpace!: number;
  @ApiProperty() stemWidth!: number;
  @ApiProperty({ type: [Number], description: '[height, width, channels]' }) inputShape!: number[];
  @ApiProperty() numClasses!: number;
  @ApiProperty({ description: 'Network spaces the Expanded Search Space is cut into' }) networkSpaces!: number;
  @ApiProperty({ description: 'Networks of the whole Expanded Search Space' }) networks!: number;
  @ApiProperty({ description: 'FLOPs (multiply-adds) of its smallest network' }) minFlops!: number;
  @ApiProperty({ description: 'FLOPs of its largest network' }) maxFlops!: number;
}

export class NssHistogramDto {
  @ApiProperty({ type: [Number], description: 'bins + 1 edges (FLOPs)' }) edges!: number[];
  @ApiProperty({ type: [Number], description: 'Networks per bin (exact)' }) counts!: number[];
}

export class NssEliteFlopsDto {
  @ApiProperty() min!: number;
  @ApiProperty() max!: number;
  @ApiProperty({ description: 'Mean FLOPs of its networks (exact)' }) mean!: number;
  @ApiProperty({ type: Number, nullable: true, description: '|mean / target - 1| (Eq. 4); null for a latency target (see latency.eliteSpace)' }) deviationOfMean!: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Exact fraction of its networks within +-10 % of the target; null for a latency target' }) fractionWithin10!: number | null;
  @ApiProperty({ type: NssHistogramDto }) histogram!: NssHistogramDto;
}

export class NssEliteSpaceDto {
  @ApiProperty({ type: [NssStageRangesDto], description: 'Per stage: depth range and width range' }) stages!: NssStageRangesDto[];
  @ApiProperty() description!: string;
  @ApiProperty({ description: 'Networks in the Elite Space' }) networks!: number;
  @ApiProperty({ type: NssEliteFlopsDto, description: 'Its exact FLOPs distribution' }) flops!: NssEliteFlopsDto;
}

export class NssCandidateDto {
  @ApiProperty({ type: [NssStageRangesDto] }) stages!: NssStageRangesDto[];
  @ApiProperty() meanFlops!: number;
  @ApiPropertyOptional({ description: 'Mean LUT latency (ms) of its networks (latency target only)' }) meanLatencyMs?: number;
  @ApiProperty({ description: '|mean / target - 1| of the target metric' }) deviation!: number;
}

export class NssThetaStageDto {
  @ApiProperty({ type: 'array', items: { type: 'array', items: { type: 'number' } }, description: 'Depth ranges [lo, hi]' }) depthRanges!: [number, number][];
  @ApiProperty({ type: [Number], description: 'P_Theta of each depth range' }) depthProbabilities!: number[];
  @ApiProperty({ type: 'array', items: { type: 'array', items: { type: 'number' } }, description: 'Width ranges [lo, hi]' }) widthRanges!: [number, number][];
  @ApiProperty({ type: [Number], description: 'P_Theta of each width range' }) widthProbabilities!: number[];
}

export class NssSampledArchDto {
  @ApiProperty({ type: [Number] }) depths!: number[];
  @ApiProperty({ type: [Number] }) widths!: number[];
  @ApiProperty({ description: 'Exact FLOPs (multiply-adds)' }) flops!: number;
  @ApiProperty() params!: number;
  @ApiProperty({ description: 'Supernet accuracy 0..1 (BN recalibrated), not stand-alone' }) accuracy!: number;
  @ApiProperty() loss!: number;
}

export class NssSamplesDto {
  @ApiProperty({ type: [NssSampledArchDto] }) eliteSpace!: NssSampledArchDto[];
  @ApiProperty({ type: [NssSampledArchDto] }) expandedSearchSpace!: NssSampledArchDto[];
}

export class NssTable1RowDto {
  @ApiProperty({ description: 'Networks of the space' }) archs!: number;
  @ApiProperty({ description: 'Networks within +-10 % of the target (exact count)' }) within!: number;
  @ApiProperty() p!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Expected uniform samples until one is within +-10 % (1/p, exact); null when none is' }) expectedSamples!: number | null;
  @ApiProperty({ description: 'Chance that 5 uniform samples contain one within +-10 %' }) hitWithin5!: number;
}

export class NssTable1Dto {
  @ApiProperty() tolerance!: number;
  @ApiProperty({ type: NssTable1RowDto }) eliteSpace!: NssTable1RowDto;
  @ApiProperty({ type: NssTable1RowDto }) expandedSearchSpace!: NssTable1RowDto;
}

export class NssProbabilitiesDto {
  @ApiProperty({ type: 'array', items: { type: 'array', items: { type: 'number' } } }) depth!: number[][];
  @ApiProperty({ type: 'array', items: { type: 'array', items: { type: 'number' } } }) width!: number[][];
}

export class NssEpochDto {
  @ApiProperty() epoch!: number;
  @ApiProperty() warmup!: boolean;
  @ApiProperty() trainLoss!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Task loss of the relaxation on Theta batches (null in warm-up)' }) validLoss!: number | null;
  @ApiProperty({ description: 'Mean FLOPs of the sampled spaces' }) spaceFlops!: number;
  @ApiProperty() flopsLoss!: number;
  @ApiProperty() tau!: number;
  @ApiProperty({ type: NssProbabilitiesDto, description: 'P_Theta at the end of the epoch' }) probabilities!: NssProbabilitiesDto;
}

export class NssEliteScheduleDto {
  @ApiProperty() epochs!: number;
  @ApiProperty() warmupEpochs!: number;
  @ApiProperty() steps!: number;
  @ApiProperty() batchSize!: number;
  @ApiProperty() lambda!: number;
  @ApiProperty({ description: 'Images the weights were trained on' }) trainImages!: number;
  @ApiProperty({ description: 'Images Theta was trained on' }) thetaImages!: number;
  @ApiProperty() evalImages!: number;
  @ApiProperty() dataset!: string;
  @ApiProperty() datasetSource!: string;
  @ApiProperty({ description: "True unless the paper's schedule (50 epochs, full CIFAR-10, paper preset)" }) shortened!: boolean;
  @ApiProperty() description!: string;
}

export class NssEliteLatencyDto {
  @ApiProperty({ description: 'Mean LUT latency (ms) of its networks' }) meanMs!: number;
  @ApiProperty() minMs!: number;
  @ApiProperty() maxMs!: number;
  @ApiProperty({ description: '|mean / target - 1| (L_lat, Eq. 4 form)' }) deviationOfMean!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Exact fraction of its networks within +-10 % of the latency target' }) fractionWithin10!: number | null;
}

export class NssLatencyResultDto extends LatencyLutResultDto {
  @ApiProperty({ description: 'Latency target (ms)' }) targetMs!: number;
  @ApiProperty({ type: [Number], description: '[min, max] LUT latency over the Expanded Search Space' }) spaceRangeMs!: number[];
  @ApiProperty({ type: NssEliteLatencyDto }) eliteSpace!: NssEliteLatencyDto;
  @ApiProperty({ description: 'Expected latency under the learned P_Theta (relaxed, per-stage sums)' }) expectedLatencyMs!: number;
}

export class NssEliteSpaceResultDto {
  @ApiProperty({ type: TrainerBackendDto }) backend!: TrainerBackendDto;
  @ApiProperty() preset!: string;
  @ApiProperty({ type: NssExpandedSearchSpaceDto }) expandedSearchSpace!: NssExpandedSearchSpaceDto;
  @ApiProperty({ type: Number, nullable: true, description: 'FLOPs target; null for a latency target (see latency)' }) targetFlops!: number | null;
  @ApiProperty({ type: NssEliteSpaceDto }) eliteSpace!: NssEliteSpaceDto;
  @ApiProperty({ type: [NssCandidateDto], description: 'The n spaces drawn from P_Theta' }) candidates!: NssCandidateDto[];
  @ApiProperty({ type: [NssThetaStageDto], description: 'Learned P_Theta per stage' }) theta!: NssThetaStageDto[];
  @ApiProperty({ description: 'Expected mean FLOPs of the sampled space under the learned P_Theta' }) expectedFlops!: number;
  @ApiProperty({ type: NssSamplesDto, description: 'Fig. 3: uniform samples of each space with FLOPs and supernet accuracy' }) samples!: NssSamplesDto;
  @ApiProperty({ type: NssTable1Dto, description: 'Table 1: #samples to meet +-10 % (exact)' }) table1!: NssTable1Dto;
  @ApiProperty({ type: [NssEpochDto] }) curve!: NssEpochDto[];
  @ApiProperty({ type: NssEliteScheduleDto }) schedule!: NssEliteScheduleDto;
  @ApiProperty() trainSeconds!: number;
  @ApiProperty({ type: Number, nullable: true }) resumedFromStep!: number | null;
  @ApiProperty({ type: [String] }) notes!: string[];
  @ApiPropertyOptional({ format: 'uuid', description: 'The `elite-space` artefact holding the Elite Space and the searched supernet weights (one file, format nss-elite-space/2)' }) eliteSpaceArtifactId?: string;
  @ApiProperty({ type: EvidenceDto }) evidence!: EvidenceDto;
  @ApiPropertyOptional({ type: NssLatencyResultDto, description: 'With spec.targetLatencyMs: L_lat on the per-residual-block LUT (backend, how measured); table1 then counts LUT latency within +-10 %' }) latency?: NssLatencyResultDto;
}

export class NssFoundArchDto {
  @ApiProperty({ type: [Number] }) depths!: number[];
  @ApiProperty({ type: [Number] }) widths!: number[];
  @ApiProperty({ description: 'Exact FLOPs (multiply-adds)' }) flops!: number;
  @ApiProperty() params!: number;
  @ApiPropertyOptional({ description: 'LUT latency (ms), with a latency target' }) latencyMs?: number;
  @ApiProperty({ description: '|metric / target - 1| (FLOPs, or LUT latency with a latency target)' }) deviation!: number;
  @ApiProperty({ description: 'Uniform draws made' }) samples!: number;
}

export class NssClosestOfNDto extends NssFoundArchDto {
  @ApiProperty() n!: number;
}

export class NssSearchSpaceDto {
  @ApiProperty({ type: [NssStageRangesDto] }) stages!: NssStageRangesDto[];
  @ApiProperty() description!: string;
  @ApiProperty() networks!: number;
}

export class NssExactSamplesDto {
  @ApiProperty() within!: number;
  @ApiProperty() p!: number;
  @ApiProperty({ type: Number, nullable: true }) expectedSamples!: number | null;
  @ApiProperty() hitWithin5!: number;
}

export class NssTrainingDto {
  @ApiProperty() epochs!: number;
  @ApiProperty() steps!: number;
  @ApiProperty() trainImages!: number;
  @ApiProperty() testImages!: number;
  @ApiProperty() lr!: number;
  @ApiProperty() batchSize!: number;
  @ApiProperty() trainSeconds!: number;
  @ApiProperty() testLoss!: number;
  @ApiProperty() shortened!: boolean;
  @ApiProperty() description!: string;
}

export class NssSupernetCandidateDto extends NssFoundArchDto {
  @ApiProperty({ enum: ['architecture', 'draw'], description: "'architecture': the until-within draw; 'draw': one of the n closest-of-n draws" }) role!: string;
  @ApiProperty({ description: 'FLOPs within +-10 % of the target' }) withinTolerance!: boolean;
  @ApiProperty({ description: 'Supernet accuracy 0..1 (inherited weights, BN recalibrated for this candidate)' }) accuracy!: number;
  @ApiProperty() loss!: number;
}

export class NssSupernetWeightsDto {
  @ApiProperty({ enum: ['elite-space-artifact'], description: 'The candidates were evaluated on the shared weights stored in the elite-space artefact' }) source!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) artifactId!: string | null;
  @ApiProperty({ description: 'Epochs of the nss-elite-space search that trained them' }) epochs!: number;
  @ApiProperty() warmupEpochs!: number;
  @ApiProperty() steps!: number;
  @ApiProperty() batchSize!: number;
  @ApiProperty({ description: 'Images the weights were trained on (the weight half)' }) trainImages!: number;
  @ApiProperty() dataset!: string;
  @ApiProperty({ description: 'Parameters of the whole supernet' }) params!: number;
}

export class NssSupernetEvaluationDto {
  @ApiProperty({ type: NssSupernetWeightsDto, description: 'Which weights evaluated the candidates' }) weights!: NssSupernetWeightsDto;
  @ApiProperty() recalBatches!: number;
  @ApiProperty() evalImages!: number;
  @ApiProperty({ type: [NssSupernetCandidateDto] }) candidates!: NssSupernetCandidateDto[];
  @ApiProperty({ type: NssSupernetCandidateDto, nullable: true, description: 'Highest supernet accuracy among the candidates within +-10 %' }) bestWithinTolerance!: NssSupernetCandidateDto | null;
  @ApiProperty() description!: string;
}

export class NssSearchLatencyDto extends LatencyLutResultDto {
  @ApiProperty({ description: 'Latency target (ms)' }) targetMs!: number;
  @ApiProperty({ type: [Number], description: '[min, max] LUT latency over the Expanded Search Space' }) spaceRangeMs!: number[];
}

export class NssSearchResultDto {
  @ApiProperty({ type: TrainerBackendDto }) backend!: TrainerBackendDto;
  @ApiProperty({ enum: ['elite-space', 'expanded-search-space'] }) searchedIn!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) eliteSpaceArtifactId!: string | null;
  @ApiProperty() preset!: string;
  @ApiProperty({ type: [Number] }) inputShape!: number[];
  @ApiProperty() numClasses!: number;
  @ApiProperty({ type: NssSearchSpaceDto }) space!: NssSearchSpaceDto;
  @ApiProperty({ type: Number, nullable: true, description: 'FLOPs target; null for a latency target (see latency)' }) targetFlops!: number | null;
  @ApiProperty() tolerance!: number;
  @ApiProperty({ type: NssFoundArchDto, nullable: true, description: 'First uniform draw within +-10 % (its `samples` = #samples needed); null if none in maxSamples' })
  architecture!: NssFoundArchDto | null;
  @ApiProperty({ type: NssClosestOfNDto }) closestOfN!: NssClosestOfNDto;
  @ApiProperty({ type: NssExactSamplesDto, description: 'Exact: expected #samples 1/p' }) exact!: NssExactSamplesDto;
  @ApiProperty({ type: Number, nullable: true, description: 'Stand-alone test accuracy 0..1 after a short training; null with trainEpochs 0' }) accuracy!: number | null;
  @ApiProperty({ type: String, nullable: true, enum: ['architecture', 'closestOfN'] }) accuracyOf!: string | null;
  @ApiProperty({ type: NssTrainingDto, nullable: true }) training!: NssTrainingDto | null;
  @ApiProperty({
    type: NssSupernetEvaluationDto,
    nullable: true,
    description: "Candidates evaluated on the supernet weights stored with the Elite Space; null in the whole Expanded Search Space or for an artefact without weights (format 1)",
  })
  supernetEvaluation!: NssSupernetEvaluationDto | null;
  @ApiProperty({ type: Number, nullable: true }) resumedFromStep!: number | null;
  @ApiProperty({ type: [String] }) notes!: string[];
  @ApiProperty({ type: EvidenceDto }) evidence!: EvidenceDto;
  @ApiPropertyOptional({ type: NssSearchLatencyDto, description: 'With spec.targetLatencyMs: the per-residual-block LUT; deviations and exact counts are then of LUT latency' }) latency?: NssSearchLatencyDto;
}
