import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { Repository } from 'typeorm';
import { Job, JOB_STATUSES } from '../jobs/job.entity';
import { withTimeout } from './timeout';

/** Scrapes must not hang on a stuck database; the jobs gauge is left empty instead. */
export const JOBS_QUERY_TIMEOUT_MS = 2000;

export type HttpLabel = 'method' | 'route' | 'status_code';

/**
 * Prometheus metrics of this process. Each instance owns its Registry (prom-client's default registry is
 * process-global, and several app instances may share one test process). Other modules inject this
 * service and register their own metrics on `registry`, or use the shared ones below.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  /** HTTP request duration by method, route template (never the raw URL) and status code. */
  readonly httpDuration: Histogram<HttpLabel>;

  /** Jobs that reached a terminal status, by job kind and status (incremented by the jobs runner). */
  readonly jobsCompleted: Counter<'kind' | 'status'>;

  /** Jobs in the jobs table by status, read from the database at scrape time. */
  readonly jobsByStatus: Gauge<'status'>;

  /** 1 when the last scrape could read the jobs table, else 0. */
  readonly jobsQueryUp: Gauge;

  private readonly logger = new Logger(MetricsService.name);
  private jobsRefresh: Promise<void> | undefined;

  constructor(@InjectRepository(Job) private readonly jobs: Repository<Job>) {
    collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'nas_http_request_duration_seconds',
      help: 'Duration of HTTP requests in seconds, by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.jobsCompleted = new Counter({
      name: 'nas_jobs_completed_total',
      help: 'Jobs that reached a terminal status, by kind and status',
      labelNames: ['kind', 'status'],
      registers: [this.registry],
    });
    // both gauges are filled by one query per scrape (the registry collects its metrics concurrently)
    const refresh = (): Promise<void> => this.refreshJobs();
    this.jobsQueryUp = new Gauge({
      name: 'nas_jobs_query_up',
      help: '1 when the last scrape could read the jobs table, else 0',
      registers: [this.registry],
      collect: refresh,
    });
    this.jobsByStatus = new Gauge({
      name: 'nas_jobs',
      help: 'Jobs in the jobs table by status, read at scrape time',
      labelNames: ['status'],
      registers: [this.registry],
      collect: refresh,
    });
  }

  /** The exposition text of every metric of this registry. */
  async render(): Promise<string> {
    return this.registry.metrics();
  }

  /** The jobs query of the scrape in progress, shared by the gauges (and by concurrent scrapes). */
  private refreshJobs(): Promise<void> {
    this.jobsRefresh ??= this.readJobs().finally(() => {
      this.jobsRefresh = undefined;
    });
    return this.jobsRefresh;
  }

  private async readJobs(): Promise<void> {
    const gauge = this.jobsByStatus;
    gauge.reset();
    try {
      const rows = await withTimeout(
        'jobs table',
        this.jobs
          .createQueryBuilder('j')
          .select('j.status', 'status')
          .addSelect('COUNT(*)::int', 'n')
          .groupBy('j.status')
          .getRawMany<{ status: string; n: number }>(),
        JOBS_QUERY_TIMEOUT_MS,
      );
      const counts = new Map<string, number>(JOB_STATUSES.map((s) => [s, 0]));
      for (const r of rows) counts.set(r.status, Number(r.n));
      for (const [status, n] of counts) gauge.set({ status }, n);
      this.jobsQueryUp.set(1);
    } catch (e) {
      this.jobsQueryUp.set(0);
      this.logger.warn(`jobs gauge not collected: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
