import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import { DataSource, MoreThan, Repository } from 'typeorm';
import { ArtifactsService } from '../artifacts/artifacts.service';
import type { Team } from '../auth/team.entity';
import { ConflictError, InvalidInputError, NotFoundError, UnprocessableError, violation } from '../common/errors';
import { Page, pageNewestFirst } from '../common/keyset-page';
import { CreateJobDto } from './dto/create-job.dto';
import { ListJobsQuery } from './dto/list-jobs.query';
import { JobKindRegistry } from './job-kind.registry';
import { parseSpec } from './parse-spec';
import { appendJobEvent } from './append-event';
import { JobEvent } from './job-event.entity';
import { Job, TERMINAL_STATUSES } from './job.entity';
import { QueueService } from './queue.service';
import { isUuid } from '../common/uuid';

/** JSON with object keys sorted at every depth (arrays keep their order). */
const canonicalJson = configure({ deterministic: true });

/**
 * SHA-256 of the canonical form of kind and spec, so a retry with the same spec in another field order is
 * recognised as the same request (the Idempotency-Key check).
 */
export function idempotencyRequestHash(kind: string, spec: unknown): string {
  return createHash('sha256').update(canonicalJson([kind, spec]) ?? '').digest('hex');
}

export interface CreatedJob {
  job: Job;
  /** false when an earlier request with the same Idempotency-Key created it */
  created: boolean;
}


@Injectable()
export class JobsService {
  constructor(
    @InjectRepository(Job) private readonly jobs: Repository<Job>,
    @InjectRepository(JobEvent) private readonly events: Repository<JobEvent>,
    private readonly ds: DataSource,
    private readonly kinds: JobKindRegistry,
    private readonly queue: QueueService,
    private readonly artifacts: ArtifactsService,
  ) {}

  /** Validates kind and spec, stores the job and enqueues it in one transaction. */
  async create(team: Team, dto: CreateJobDto, idempotencyKey: string | undefined): Promise<CreatedJob> {
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) {
      throw new InvalidInputError('Idempotency-Key must be 1-200 printable ASCII characters', [
        violation('Idempotency-Key', 'pattern', '1-200 printable ASCII characters without spaces'),
      ]);
    }
    const requestHash = idempotencyRequestHash(dto.kind, dto.spec);
    if (idempotencyKey) {
      const existing = await this.jobs.findOneBy({ teamId: team.id, idempotencyKey });
      if (existing) return this.replay(existing, requestHash);
    }
    const def = this.kinds.get(dto.kind);
    const spec = await parseSpec(def, dto.spec);
    await def.validate?.(spec, team, { artifacts: this.artifacts.lookupFor(team.id) });
    const datasetId = def.datasetId?.(spec) ?? null;
    const artifactInputs = def.artifactInputs?.(spec) ?? [];
    await this.artifacts.checkInputs(team, artifactInputs);
    try {
      const job = await this.ds.transaction(async (m) => {
        const row = await m.save(
          m.create(Job, {
            teamId: team.id,
            kind: dto.kind,
            status: 'queued',
            spec: dto.spec,
            datasetId,
            idempotencyKey: idempotencyKey ?? null,
            requestHash,
          }),
        );
        await this.artifacts.recordInputs(m, row.id, artifactInputs);
        await appendJobEvent(m, row.id, 'created', { kind: dto.kind });
        await this.queue.send({ jobId: row.id }, { manager: m });
        return row;
      });
      return { job, created: true };
    } catch (e) {
      // two concurrent requests with one Idempotency-Key: the unique index lets one through
      if (idempotencyKey && (e as { code?: string }).code === '23505') {
        const existing = await this.jobs.findOneByOrFail({ teamId: team.id, idempotencyKey });
        return this.replay(existing, requestHash);
      }
      // the dataset was deleted between validation and insert
      if ((e as { code?: string }).code === '23503' && datasetId) {
        throw new InvalidInputError(`dataset ${datasetId} no longer exists`, [violation('spec.dataset', 'exists', 'must be an existing dataset of your team')]);
      }
      // an input artefact was deleted between validation and insert
      if ((e as { code?: string; constraint?: string }).code === '23503' && artifactInputs.length) {
        const fields = [...new Set(artifactInputs.map((r) => r.field))];
        throw new InvalidInputError(`an input artifact (${fields.join(', ')}) no longer exists`, fields.map((f) => violation(f, 'exists', "must be an existing artifact of your team")));
      }
      throw e;
    }
  }

  private replay(existing: Job, requestHash: string): CreatedJob {
    if (existing.requestHash !== requestHash) {
      throw new UnprocessableError('Idempotency-Key was already used with a different request body', [
        violation('Idempotency-Key', 'sameBody', 'a key may only be reused with the identical kind and spec'),
      ]);
    }
    return { job: existing, created: false };
  }

  async get(team: Team, id: string): Promise<Job> {
    if (!isUuid(id)) throw new InvalidInputError(`job id "${id}" is not a UUID`, [violation('id', 'isUuid', 'must be a UUID')]);
    const job = await this.jobs.findOneBy({ id, teamId: team.id });
    if (!job) throw new NotFoundError(`job ${id} not found`);
    return job;
  }

  async list(team: Team, q: ListJobsQuery): Promise<Page<Job>> {
    const qb = this.jobs.createQueryBuilder('j').where('j.team_id = :team', { team: team.id });
    if (q.status) qb.andWhere('j.status = :status', { status: q.status });
    if (q.kind) qb.andWhere('j.kind = :kind', { kind: q.kind });
    return pageNewestFirst(qb, 'j', q.limit ?? 20, q.cursor);
  }

  async result(team: Team, id: string): Promise<Job> {
    const job = await this.get(team, id);
    if (job.status !== 'succeeded' || job.result === null) {
      throw new ConflictError(`job ${id} has no result: its status is ${job.status}${job.error ? ` (${job.error.message})` : ''}`);
    }
    return job;
  }

  /** Queued jobs are cancelled at once; running ones are stopped by their worker within a heartbeat. */
  async cancel(team: Team, id: string): Promise<Job> {
    const job = await this.get(team, id);
    if (TERMINAL_STATUSES.includes(job.status)) return job;
    await this.ds.transaction(async (m) => {
      const queued = await m.query(
        `UPDATE jobs SET status = 'cancelled', cancel_requested_at = now(), finished_at = now(), updated_at = now()
         WHERE id = $1 AND status = 'queued' RETURNING id`,
        [id],
      );
      if (queued[1] > 0) {
        await appendJobEvent(m, id, 'cancelled', { reason: 'cancelled before it started' });
        return;
      }
      const running = await m.query(
        `UPDATE jobs SET cancel_requested_at = coalesce(cancel_requested_at, now()), updated_at = now()
         WHERE id = $1 AND status = 'running' RETURNING id`,
        [id],
      );
      if (running[1] > 0) await appendJobEvent(m, id, 'cancel_requested');
    });
    return this.get(team, id);
  }

  async eventsAfter(jobId: string, afterId: string, limit = 500): Promise<JobEvent[]> {
    return this.events.find({ where: { jobId, id: MoreThan(afterId) }, order: { id: 'ASC' }, take: limit });
  }

  async status(jobId: string): Promise<Job['status'] | null> {
    const row = await this.jobs.findOne({ where: { id: jobId }, select: { id: true, status: true } });
    return row?.status ?? null;
  }

}
