import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import * as os from 'node:os';
import { DataSource, EntityManager } from 'typeorm';
import type { AppRole } from '../app-role';
import { ArtifactsService } from '../artifacts/artifacts.service';
import { DomainError } from '../common/errors';
import { APP_CONFIG, AppConfig } from '../config/config';
import { APP_ROLE } from '../config/config.module';
import { MetricsService } from '../health/metrics.service';
import { JobContext } from './job-kind';
import { JobKindRegistry } from './job-kind.registry';
import { parseSpec } from './parse-spec';
import { appendJobEvent } from './append-event';
import { JobEventType } from './job-event.entity';
import { Job, JobError, JobProgress } from './job.entity';
import { JobMessage, QueueService } from './queue.service';

type AbortReason = 'cancel' | 'shutdown' | 'lease-lost';
type Terminal = 'succeeded' | 'failed' | 'cancelled';

interface Running {
  controller: AbortController;
  reason: AbortReason | null;
}

/**
 * Runs queued jobs in this process. The `jobs` row is the state of record: a worker claims it with a lease,
 * renews the lease by heartbeat (which also picks up cancellation), and may only finish it while it holds
 * the lease. A worker that dies stops renewing; the reaper of any live worker re-queues its job, which then
 * resumes from its last persisted checkpoint. A job that keeps failing ends `failed` after JOB_MAX_ATTEMPTS.
 */
@Injectable()
export class JobRunnerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(JobRunnerService.name);
  readonly workerId = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly running = new Map<string, Running>();
  private reaper: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_ROLE) private readonly role: AppRole,
    private readonly ds: DataSource,
    private readonly queue: QueueService,
    private readonly kinds: JobKindRegistry,
    private readonly metrics: MetricsService,
    private readonly artifacts: ArtifactsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.role.worker) return;
    await this.queue.work(this.config.workerConcurrency, (m) => this.handle(m));
    const every = Math.max(500, Math.min(5000, (this.config.leaseSeconds * 1000) / 3));
    this.reaper = setInterval(() => void this.reap().catch((e: Error) => this.logger.error(`reaper: ${e.message}`)), every);
    this.reaper.unref();
    void this.reap().catch(() => undefined);
  }

  /**
   * Graceful stop: running jobs go back to the queue (their checkpoints kept) without using up an attempt.
   * Runs in the first shutdown phase, while the database and the queue (closed on application shutdown) still work.
   */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    if (this.reaper) clearInterval(this.reaper);
    await this.queue.stopWorking().catch(() => undefined);
    for (const r of this.running.values()) {
      r.reason = 'shutdown';
      r.controller.abort(new Error('worker shutting down'));
    }
    const deadline = Date.now() + 10_000;
    while (this.running.size && Date.now() < deadline) await sleep(50);
  }

  /** One queue message: claim the job if it is still queued, run it, record the outcome. */
  async handle(msg: JobMessage): Promise<void> {
    if (this.stopping) return;
    const claimed: unknown[] = await this.ds.query(
      `UPDATE jobs SET status = 'running', lease_owner = $2, lease_expires_at = now() + make_interval(secs => $3),
              attempts = attempts + 1, started_at = coalesce(started_at, now()), updated_at = now()
       WHERE id = $1 AND status = 'queued' RETURNING id`,
      [msg.jobId, this.workerId, this.config.leaseSeconds],
    );
    if (!(claimed as [unknown[], number])[1]) return; // cancelled, finished, or taken by another worker
    const job = await this.ds.getRepository(Job).findOneByOrFail({ id: msg.jobId });
    await this.discardArtifacts(job.id, 'left by an earlier attempt');
    await this.event(this.ds.manager, job.id, 'started', { attempt: job.attempts, worker: this.workerId, resumed: job.checkpoint !== null });
    const state: Running = { controller: new AbortController(), reason: null };
    this.running.set(job.id, state);
    const heartbeat = setInterval(() => void this.heartbeat(job.id, state), this.config.heartbeatMs);
    try {
      const def = this.kinds.get(job.kind);
      // the kind gets its spec DTO, parsed and validated once here (the stored spec was valid at submission)
      const spec = await parseSpec(def, job.spec);
      const result = await def.run(this.context(job, spec, state));
      await this.ended(job.id, job.kind, await this.finish(job.id, state, { status: 'succeeded', result: result as Record<string, unknown> }));
    } catch (e) {
      const terminal = await this.finish(job.id, state, { status: 'error', error: e, permanent: isPermanent(e), attempts: job.attempts });
      // an attempt that did not succeed leaves no artefact (unless another worker owns the job now)
      if (state.reason !== 'lease-lost') await this.discardArtifacts(job.id, 'the attempt did not succeed');
      await this.ended(job.id, job.kind, terminal);
    } finally {
      clearInterval(heartbeat);
      this.running.delete(job.id);
    }
  }

  private context(job: Job, spec: object, state: Running): JobContext<object, unknown> {
    let lastProgressAt = 0;
    let lastPhase = '';
    return {
      jobId: job.id,
      teamId: job.teamId,
      spec,
      checkpoint: job.checkpoint,
      attempt: job.attempts,
      signal: state.controller.signal,
      progress: async (p: JobProgress & { data?: Record<string, unknown> }) => {
        const now = Date.now();
        if (now - lastProgressAt < 250 && p.phase === lastPhase && p.fraction < 1) return; // throttle to 4/s
        lastProgressAt = now;
        lastPhase = p.phase;
        const progress: JobProgress = { fraction: clamp01(p.fraction), phase: p.phase, message: p.message };
        await this.ds.transaction(async (m) => {
          const r = await m.query(`UPDATE jobs SET progress = $3, updated_at = now() WHERE id = $1 AND lease_owner = $2 AND status = 'running'`, [
            job.id,
            this.workerId,
            progress,
          ]);
          if (r[1]) await this.event(m, job.id, 'progress', { ...progress, ...(p.data ?? {}) });
        });
      },
      artifacts: this.artifacts.forJob(job.teamId, job.id),
      saveCheckpoint: async (c: unknown) => {
        await this.ds.transaction(async (m) => {
          const r = await m.query(`UPDATE jobs SET checkpoint = $3, updated_at = now() WHERE id = $1 AND lease_owner = $2 AND status = 'running'`, [
            job.id,
            this.workerId,
            JSON.stringify(c),
          ]);
          if (r[1]) await this.event(m, job.id, 'checkpoint', { bytes: JSON.stringify(c).length });
        });
      },
    };
  }

  /** Renews the lease; notices cancellation and a lost lease. */
  private async heartbeat(jobId: string, state: Running): Promise<void> {
    if (state.reason) return;
    try {
      const rows: Array<{ cancel_requested_at: Date | null }> = (
        await this.ds.query(
          `UPDATE jobs SET lease_expires_at = now() + make_interval(secs => $3)
           WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING cancel_requested_at`,
          [jobId, this.workerId, this.config.leaseSeconds],
        )
      )[0];
      if (!rows.length) this.abort(state, 'lease-lost');
      else if (rows[0].cancel_requested_at) this.abort(state, 'cancel');
    } catch (e) {
      this.logger.warn(`heartbeat for ${jobId} failed: ${(e as Error).message}`);
    }
  }

  private abort(state: Running, reason: AbortReason): void {
    if (state.reason) return;
    state.reason = reason;
    state.controller.abort(new Error(reason === 'cancel' ? 'job cancelled' : reason));
  }

  /** Metrics and the kind's clean-up once a job has reached a terminal status. */
  private async ended(jobId: string, kind: string, terminal: Terminal | null): Promise<void> {
    if (!terminal) return;
    this.metrics.jobsCompleted.labels(kind, terminal).inc();
    if (terminal !== 'succeeded') await this.discardArtifacts(jobId, `the job ended ${terminal}`);
    try {
      await (this.kinds.has(kind) ? this.kinds.get(kind).onTerminal?.(jobId, terminal) : undefined);
    } catch (e) {
      this.logger.warn(`clean-up of job ${jobId} failed: ${(e as Error).message}`);
    }
  }

  /** Records the outcome while this worker still holds the lease; returns the terminal status reached, if any. */
  private async finish(
    jobId: string,
    state: Running,
    outcome: { status: 'succeeded'; result: Record<string, unknown> } | { status: 'error'; error: unknown; permanent: boolean; attempts: number },
  ): Promise<Terminal | null> {
    if (state.reason === 'lease-lost') return null; // another worker owns the job now
    return this.ds.transaction(async (m): Promise<Terminal | null> => {
      const own = `WHERE id = $1 AND lease_owner = $2 AND status = 'running'`;
      const release = `lease_owner = NULL, lease_expires_at = NULL, updated_at = now()`;
      if (outcome.status === 'succeeded') {
        const r = await m.query(
          `UPDATE jobs SET status = 'succeeded', result = $3, error = NULL, finished_at = now(),
                  progress = jsonb_build_object('fraction', 1, 'phase', 'done', 'message', 'succeeded'), ${release} ${own}`,
          [jobId, this.workerId, JSON.stringify(outcome.result)],
        );
        if (!r[1]) return null;
        const artifacts = await this.artifacts.promote(m, jobId);
        await this.event(m, jobId, 'succeeded', artifacts ? { artifacts, worker: this.workerId } : { worker: this.workerId });
        return 'succeeded';
      }
      if (state.reason === 'cancel') {
        const r = await m.query(`UPDATE jobs SET status = 'cancelled', finished_at = now(), ${release} ${own}`, [jobId, this.workerId]);
        if (!r[1]) return null;
        await this.event(m, jobId, 'cancelled', { reason: 'cancelled while running' });
        return 'cancelled';
      }
      if (state.reason === 'shutdown') {
        const r = await m.query(`UPDATE jobs SET status = 'queued', attempts = greatest(attempts - 1, 0), ${release} ${own}`, [jobId, this.workerId]);
        if (r[1]) {
          await this.event(m, jobId, 'retry', { reason: 'worker shut down; resumes from its last checkpoint' });
          await this.queue.send({ jobId }, { manager: m });
        }
        return null;
      }
      const error = toJobError(outcome.error);
      if (outcome.permanent || outcome.attempts >= this.config.jobMaxAttempts) {
        const r = await m.query(`UPDATE jobs SET status = 'failed', error = $3, finished_at = now(), ${release} ${own}`, [
          jobId,
          this.workerId,
          JSON.stringify(error),
        ]);
        if (!r[1]) return null;
        await this.event(m, jobId, 'failed', { ...error, attempts: outcome.attempts });
        return 'failed';
      }
      const r = await m.query(`UPDATE jobs SET status = 'queued', error = $3, ${release} ${own}`, [jobId, this.workerId, JSON.stringify(error)]);
      if (r[1]) {
        const delay = 2 ** outcome.attempts;
        await this.event(m, jobId, 'retry', { reason: 'attempt failed', ...error, attempt: outcome.attempts, retryInSeconds: delay });
        await this.queue.send({ jobId }, { manager: m, startAfterSeconds: delay });
      }
      return null;
    });
  }

  /** Jobs whose worker stopped renewing the lease: re-queue them (or end them when out of attempts or cancelled). */
  async reap(): Promise<number> {
    const ended: Array<{ id: string; kind: string; status: Terminal }> = [];
    const reaped = await this.ds.transaction(async (m) => {
      const rows: Array<{ id: string; kind: string; attempts: number; cancel_requested_at: Date | null; lease_owner: string }> = await m.query(
        `SELECT id, kind, attempts, cancel_requested_at, lease_owner FROM jobs
         WHERE status = 'running' AND lease_expires_at < now() FOR UPDATE SKIP LOCKED`,
      );
      for (const row of rows) {
        const lost = { reason: `worker ${row.lease_owner} stopped (lease expired)` };
        if (row.cancel_requested_at) {
          await m.query(`UPDATE jobs SET status = 'cancelled', finished_at = now(), lease_owner = NULL, lease_expires_at = NULL, updated_at = now() WHERE id = $1`, [row.id]);
          await this.event(m, row.id, 'cancelled', lost);
          ended.push({ id: row.id, kind: row.kind, status: 'cancelled' });
        } else if (row.attempts >= this.config.jobMaxAttempts) {
          const error: JobError = { type: 'WorkerLost', message: `${lost.reason}; gave up after ${row.attempts} attempts` };
          await m.query(
            `UPDATE jobs SET status = 'failed', error = $2, finished_at = now(), lease_owner = NULL, lease_expires_at = NULL, updated_at = now() WHERE id = $1`,
            [row.id, JSON.stringify(error)],
          );
          await this.event(m, row.id, 'failed', { ...error });
          ended.push({ id: row.id, kind: row.kind, status: 'failed' });
        } else {
          await m.query(`UPDATE jobs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, updated_at = now() WHERE id = $1`, [row.id]);
          await this.event(m, row.id, 'retry', { ...lost, resumesFromCheckpoint: true });
          await this.queue.send({ jobId: row.id }, { manager: m });
        }
      }
      return rows.length;
    });
    for (const e of ended) await this.ended(e.id, e.kind, e.status);
    return reaped;
  }

  /** Removes the job's pending artefacts (best effort: a failure is logged, the start-up sweep and later attempts retry). */
  private async discardArtifacts(jobId: string, why: string): Promise<void> {
    try {
      const n = await this.artifacts.discardPending(jobId);
      if (n) this.logger.log(`removed ${n} pending artifact(s) of job ${jobId}: ${why}`);
    } catch (e) {
      this.logger.warn(`could not remove the pending artifacts of job ${jobId}: ${(e as Error).message}`);
    }
  }

  private event(m: EntityManager, jobId: string, type: JobEventType, data: Record<string, unknown>): Promise<void> {
    return appendJobEvent(m, jobId, type, data);
  }
}

/** Bad input (a 4xx domain error) fails at once; anything else, an unavailable resource included, may succeed on retry. */
function isPermanent(e: unknown): boolean {
  return e instanceof DomainError && e.status < 500;
}

function toJobError(e: unknown): JobError {
  if (e instanceof Error) return { type: e.name || 'Error', message: e.message };
  return { type: 'Error', message: String(e) };
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
