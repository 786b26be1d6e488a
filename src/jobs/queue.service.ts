import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import PgBoss from 'pg-boss';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';

export const JOB_QUEUE = 'nas-jobs';

export interface JobMessage {
  jobId: string;
}

/**
 * The durable queue (pg-boss on the same PostgreSQL). It only carries "job X is ready to run" messages;
 * the job's state of record is the `jobs` row, so a lost or duplicated message can never lose or double-run a job.
 */
@Injectable()
export class QueueService implements OnApplicationShutdown {
  private readonly logger = new Logger(QueueService.name);
  private boss: PgBoss | undefined;
  private starting: Promise<PgBoss> | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig, private readonly ds: DataSource) {}

  private async client(): Promise<PgBoss> {
    this.starting ??= (async () => {
      const opts = this.ds.options as { url?: string };
      const boss = new PgBoss({
        connectionString: opts.url,
        schema: 'pgboss',
        max: 4,
        // A job's own lease (jobs.lease_expires_at) detects dead workers within seconds; pg-boss's
        // expiration is only a last resort, so it is long enough never to fire under a live runner.
        expireInHours: 23,
        retryLimit: 0,
      });
      boss.on('error', (e: Error) => this.logger.error(`pg-boss: ${e.message}`));
      await boss.start();
      await boss.createQueue(JOB_QUEUE, { name: JOB_QUEUE, retryLimit: 0, expireInHours: 23 });
      this.boss = boss;
      return boss;
    })();
    return this.starting;
  }

  /** Enqueue inside the caller's transaction when one is given, so the job row and its message commit together. */
  async send(msg: JobMessage, opts: { manager?: EntityManager; startAfterSeconds?: number } = {}): Promise<void> {
    const boss = await this.client();
    const runner = opts.manager?.queryRunner;
    const db = runner
      ? { executeSql: async (text: string, values: unknown[]) => ({ rows: (await runner.query(text, values, true)).records as unknown[] }) }
      : undefined;
    await boss.send(JOB_QUEUE, msg, { ...(db ? { db } : {}), ...(opts.startAfterSeconds ? { startAfter: opts.startAfterSeconds } : {}) });
  }

  /** Start `concurrency` pollers that hand each message to the handler. */
  async work(concurrency: number, handler: (msg: JobMessage) => Promise<void>): Promise<void> {
    const boss = await this.client();
    for (let i = 0; i < concurrency; i++) {
      await boss.work<JobMessage>(JOB_QUEUE, { batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => {
        if (job) await handler(job.data);
      });
    }
  }

  async stopWorking(): Promise<void> {
    if (this.boss) await this.boss.offWork(JOB_QUEUE);
  }

  /** Last shutdown phase: the job runner has handed its jobs back by now. */
  async onApplicationShutdown(): Promise<void> {
    const boss = this.boss;
    this.boss = undefined;
    this.starting = undefined;
    if (boss) await boss.stop({ graceful: false, close: true, wait: true, timeout: 2000 } as PgBoss.StopOptions);
  }
}
