import { Controller, Get, Header, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { Public } from '../auth/auth.decorators';
import { HealthDto, NotReadyProblemDto, ReadinessDto } from './health.dto';
import { MetricsService } from './metrics.service';
import { ReadinessService } from './readiness.service';

/** Liveness, readiness and Prometheus metrics; unversioned (/healthz, /readyz, /metrics) and public. */
@ApiTags('health')
@Public()
@Controller({ version: VERSION_NEUTRAL })
export class HealthController {
  constructor(private readonly readiness: ReadinessService, private readonly metricsService: MetricsService) {}

  @Get('healthz')
  @ApiOperation({ summary: 'Liveness: 200 while the process serves HTTP (checks no dependency).' })
  @ApiOkResponse({ type: HealthDto })
  healthz(): HealthDto {
    return { status: 'ok' };
  }

  @Get('readyz')
  @ApiOperation({ summary: 'Readiness: the database answers SELECT 1 and every shipped migration is applied.' })
  @ApiOkResponse({ type: ReadinessDto })
  @ApiServiceUnavailableResponse({ type: NotReadyProblemDto, description: 'A problem document naming each dependency that is not ready.' })
  readyz(): Promise<ReadinessDto> {
    return this.readiness.check();
  }

  @Get('metrics')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @ApiOperation({ summary: 'Prometheus text exposition: process metrics, HTTP request durations, jobs by status.' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ schema: { type: 'string' }, description: 'Prometheus text format 0.0.4' })
  metrics(): Promise<string> {
    return this.metricsService.render();
  }
}
