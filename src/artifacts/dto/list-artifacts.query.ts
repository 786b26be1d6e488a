import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQuery } from '../../common/page.query';
import { ARTIFACT_KINDS, ArtifactKind } from '../artifact-kinds';

export class ListArtifactsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ARTIFACT_KINDS })
  @IsOptional()
  @IsIn(ARTIFACT_KINDS as unknown as string[])
  kind?: ArtifactKind;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only the artifacts produced by this job.' })
  @IsOptional()
  @IsUUID('all', { message: 'jobId must be a UUID' })
  jobId?: string;
}
