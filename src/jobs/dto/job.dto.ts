import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JOB_STATUSES, JobStatus } from '../job.entity';

export class JobProgressDto {
  @ApiProperty({ minimum: 0, maximum: 1 }) fraction!: number;
  @ApiProperty() phase!: string;
  @ApiProperty() message!: string;
}

export class JobErrorDto {
  @ApiProperty() type!: string;
  @ApiProperty() message!: string;
}

export class JobDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() kind!: string;
  @ApiProperty({ enum: JOB_STATUSES }) status!: JobStatus;
  @ApiProperty({ type: 'object', additionalProperties: true }) spec!: Record<string, unknown>;
  @ApiProperty({ type: JobProgressDto }) progress!: JobProgressDto;
  @ApiPropertyOptional({ type: JobErrorDto, nullable: true }) error!: JobErrorDto | null;
  @ApiProperty({ description: 'Attempts started so far (a retry after a crash or failure adds one).' }) attempts!: number;
  @ApiProperty({ description: 'Whether a result is available at /v1/jobs/{id}/result.' }) hasResult!: boolean;
  @ApiPropertyOptional({ format: 'uuid', nullable: true }) datasetId!: string | null;
  @ApiProperty({ format: 'uuid' }) teamId!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiPropertyOptional({ format: 'date-time', nullable: true }) startedAt!: string | null;
  @ApiPropertyOptional({ format: 'date-time', nullable: true }) finishedAt!: string | null;
  @ApiPropertyOptional({ format: 'date-time', nullable: true }) cancelRequestedAt!: string | null;
}

export class JobPageDto {
  @ApiProperty({ type: [JobDto] }) items!: JobDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` to get the next page; null on the last page.' })
  nextCursor!: string | null;
}

export class JobResultDto {
  @ApiProperty({ format: 'uuid' }) jobId!: string;
  @ApiProperty() kind!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) result!: Record<string, unknown>;
}

export class JobKindDto {
  @ApiProperty() kind!: string;
  @ApiProperty() summary!: string;
  @ApiProperty({ description: 'Name of the spec schema in components.schemas of the OpenAPI document.' }) specSchema!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Name of the result schema in components.schemas, when published.' })
  resultSchema!: string | null;
}

export class JobEventDto {
  @ApiProperty() id!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}
