import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { PageQuery } from '../../common/page.query';
import { JOB_STATUSES, JobStatus } from '../job.entity';

export class ListJobsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: JOB_STATUSES })
  @IsOptional()
  @IsIn(JOB_STATUSES as unknown as string[])
  status?: JobStatus;

  @ApiPropertyOptional({ example: 'nb201-search' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9-]{0,63}$/, { message: 'kind must be a lower-case kind name' })
  kind?: string;
}
