import { Global, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Job } from '../jobs/job.entity';
import { HealthController } from './health.controller';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsService } from './metrics.service';
import { ReadinessService } from './readiness.service';

/**
 * GET /healthz, /readyz, /metrics. Global so that any module can inject MetricsService and add its
 * metrics to the shared registry (e.g. `metrics.jobsCompleted.inc({ kind, status })`).
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([Job])],
  providers: [MetricsService, ReadinessService],
  controllers: [HealthController],
  exports: [MetricsService],
})
export class HealthModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
