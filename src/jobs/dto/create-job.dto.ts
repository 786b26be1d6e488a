import { ApiProperty } from '@nestjs/swagger';
import { IsObject, IsString, Matches } from 'class-validator';

export class CreateJobDto {
  @ApiProperty({ description: 'Job kind, e.g. nb201-search or dataset-baseline (GET /v1/jobs/kinds lists them).', example: 'nb201-search' })
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9-]{0,63}$/, { message: 'kind must be a lower-case kind name such as nb201-search' })
  kind!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Kind-specific specification; its schema is listed per kind by GET /v1/jobs/kinds and in the components of this document.',
    example: { algorithm: 'evolution', dataset: 'cifar10', queries: 300, seed: 1, constraints: { maxFlopsM: 100 } },
  })
  @IsObject()
  spec!: Record<string, unknown>;
}
