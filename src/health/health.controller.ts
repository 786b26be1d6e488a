import { Controller, Get, Header, Inject, Req, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiServiceUnavailableResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Registry } from 'prom-client';
import { Public } from '../auth/auth.decorators';
import { UnauthorizedError } from '../common/errors';
import { APP_CONFIG, AppConfig } from '../config/config';
import { HealthDto, NotReadyProblemDto, ReadinessDto } from './health.dto';
import { MetricsService } from './metrics.service';
import { ReadinessService } from './readiness.service';

/** Liveness, readiness and Prometheus metrics; unversioned (/healthz, /readyz, /metrics) and public. */
@ApiTags('health')
@Public()
@Controller({ version: VERSION_NEUTRAL })
export class HealthController {
  constructor(
    private readonly readiness: ReadinessService,
    private readonly metricsService: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

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
  @ApiOperation({
    summary: 'Prometheus text exposition: process metrics, HTTP request durations, jobs by status.',
    description: 'When the server sets METRICS_TOKEN, send `Authorization: Bearer <METRICS_TOKEN>` (not an API key).',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ schema: { type: 'string' }, description: 'Prometheus text format 0.0.4' })
  @ApiUnauthorizedResponse({ description: 'METRICS_TOKEN is set and the request does not carry it.' })
  metrics(@Req() req: Request): Promise<string> {
    if (this.config.metricsToken !== undefined && !bearerMatches(req.headers.authorization, this.config.metricsToken)) {
      throw new UnauthorizedError('/metrics needs "Authorization: Bearer <METRICS_TOKEN>"');
    }
    return this.metricsService.render();
  }
}

/** Constant-time comparison of the request's bearer token with the expected one. */
function bearerMatches(header: string | undefined, expected: string): boolean {
  const m = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!m) return false;
  const digest = (v: string): Buffer => createHash('sha256').update(v, 'utf8').digest();
  return timingSafeEqual(digest(m[1]), digest(expected));
}
