import { ApiProperty } from '@nestjs/swagger';

export class HealthDto {
  @ApiProperty({ enum: ['ok'], description: 'The process is up and serving HTTP.' })
  status!: 'ok';
}

export class ReadinessCheckDto {
  @ApiProperty({ enum: ['database', 'migrations'], description: 'What was checked.' })
  name!: 'database' | 'migrations';

  @ApiProperty({ description: 'True when the check passed.' })
  ok!: boolean;

  @ApiProperty({ description: 'What the check found.' })
  detail!: string;
}

export class ReadinessDto {
  @ApiProperty({ enum: ['ready'] })
  status!: 'ready';

  @ApiProperty({ type: [ReadinessCheckDto] })
  checks!: ReadinessCheckDto[];
}

export class NotReadyViolationDto {
  @ApiProperty({ enum: ['database', 'migrations'], description: 'The dependency that is not ready.' })
  field!: string;

  @ApiProperty({ example: 'select-1', description: 'The readiness rule it fails.' })
  rule!: string;

  @ApiProperty()
  message!: string;
}

/** RFC 9457 problem answered by GET /readyz while the service is not ready. */
export class NotReadyProblemDto {
  @ApiProperty({ example: 'urn:nas:problem:unavailable' }) type!: string;
  @ApiProperty({ example: 'Service Unavailable' }) title!: string;
  @ApiProperty({ example: 503 }) status!: number;
  @ApiProperty({ example: 'not ready: migrations: 1 shipped migration is not applied (Init1763900000000)' }) detail!: string;
  @ApiProperty({ example: '/readyz' }) instance!: string;
  @ApiProperty({ type: [NotReadyViolationDto] }) errors!: NotReadyViolationDto[];
}
