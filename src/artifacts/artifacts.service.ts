import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { createReadStream, ReadStream } from 'node:fs';
import { DataSource, EntityManager, Raw, Repository } from 'typeorm';
import type { Team } from '../auth/team.entity';
import { ConflictError, InvalidInputError, NotFoundError, violation } from '../common/errors';
import { Page, pageNewestFirst } from '../common/keyset-page';
import { isUuid } from '../common/uuid';
import { APP_CONFIG, AppConfig } from '../config/config';
import { Artifact, JobArtifactInput } from './artifact.entity';
import { ARTIFACT_KINDS, ArtifactInput, ArtifactKind, ArtifactInputRef, ArtifactLookup, CreatedArtifact, JobArtifacts, NewJobArtifact } from './artifact-kinds';
import { ArtifactStorage } from './artifact-storage';
import { ListArtifactsQuery } from './dto/list-artifacts.query';

const SWEEP_AFTER_MS = 60 * 60 * 1000;
const ACTIVE_JOB_STATUSES = ['queued', 'running'] as const;

/**
 * Artefacts: files produced by jobs, team-scoped. Visible (`ready`) only once the producing job succeeded; until then
 * `pending` and removed when the attempt does not succeed (see JobArtifacts). Deleting one is refused while a queued
 * or running job reads it (job_artifact_inputs).
 */
@Injectable()
export class ArtifactsService implements OnModuleInit {
  private readonly logger = new Logger(ArtifactsService.name);
  readonly storage: ArtifactStorage;

  constructor(
    @InjectRepository(Artifact) private readonly artifacts: Repository<Artifact>,
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.storage = new ArtifactStorage(config.storageDir);
  }

  async onModuleInit(): Promise<void> {
    try {
      const removed = await this.storage.sweep(SWEEP_AFTER_MS);
      if (removed.length) this.logger.warn(`removed ${removed.length} leftover temp artefact files: ${removed.join(', ')}`);
    } catch (err) {
      this.logger.warn(`could not sweep ${this.storage.root}: ${(err as Error).message}`);
    }
  }

  /** The team's visible artefacts, newest first; keyset pagination on (created_at, id). */
  async list(team: Pick<Team, 'id'>, q: ListArtifactsQuery): Promise<Page<Artifact>> {
    const qb = this.artifacts.createQueryBuilder('a').where('a.team_id = :team', { team: team.id }).andWhere(`a.status = 'ready'`);
    if (q.kind) qb.andWhere('a.kind = :kind', { kind: q.kind });
    if (q.jobId) qb.andWhere('a.job_id = :job', { job: q.jobId });
    return pageNewestFirst(qb, 'a', q.limit ?? 20, q.cursor);
  }

  /** A visible artefact of the team; another team's (or a pending one) is "not found". */
  async get(team: Pick<Team, 'id'>, id: string): Promise<Artifact> {
    const a = isUuid(id) ? await this.artifacts.findOneBy({ id, teamId: team.id, status: 'ready' }) : null;
    if (!a) throw new NotFoundError(`artifact ${id} not found`);
    return a;
  }

  /** The stored bytes of a visible artefact. */
  async open(team: Pick<Team, 'id'>, id: string): Promise<{ artifact: Artifact; stream: ReadStream }> {
    const artifact = await this.get(team, id);
    const file = this.storage.resolve(artifact.storagePath);
    const stream = await new Promise<ReadStream>((resolve, reject) => {
      const s = createReadStream(file);
      s.once('open', () => resolve(s));
      s.once('error', reject);
    });
    return { artifact, stream };
  }

  /** Deletes the row (refused while a queued or running job reads the artefact), then the file. */
  async remove(team: Pick<Team, 'id'>, id: string): Promise<void> {
    const storagePath = await this.ds.transaction(async (m) => {
      const rows: { storage_path: string }[] = await m.query(
        `SELECT storage_path FROM artifacts WHERE id = $1 AND team_id = $2 AND status = 'ready' FOR UPDATE`,
        [id, team.id],
      );
      if (!rows.length) throw new NotFoundError(`artifact ${id} not found`);
      const active: { id: string; status: string }[] = await m.query(
        `SELECT j.id, j.status FROM job_artifact_inputs i JOIN jobs j ON j.id = i.job_id
         WHERE i.artifact_id = $1 AND j.status = ANY($2) ORDER BY j.created_at LIMIT 5`,
        [id, [...ACTIVE_JOB_STATUSES]],
      );
      if (active.length) {
        const list = active.map((j) => `${j.id} (${j.status})`).join(', ');
        throw new ConflictError(`artifact ${id} is used by active job(s) ${list}; cancel them or wait until they finish`, [
          violation('id', 'notInUse', 'an artifact used by a queued or running job cannot be deleted'),
        ]);
      }
      await m.query(`DELETE FROM artifacts WHERE id = $1`, [id]);
      return rows[0].storage_path;
    });
    await this.removeFile(id, storagePath);
  }

  /**
   * Checks a job's declared inputs before it is created: each must be a visible artefact of the team (and of an
   * allowed kind). Errors name the spec field.
   */
  async checkInputs(team: Pick<Team, 'id'>, refs: readonly ArtifactInputRef[]): Promise<void> {
    for (const ref of refs) {
      const a = isUuid(ref.id) ? await this.artifacts.findOneBy({ id: ref.id, teamId: team.id, status: 'ready' }) : null;
      if (!a) {
        throw new InvalidInputError(`${ref.field} must be the id of one of your team's artifacts, got ${JSON.stringify(ref.id)}`, [
          violation(ref.field, 'isArtifact', "must be the id of one of your team's artifacts"),
        ]);
      }
      if (ref.kinds && !ref.kinds.includes(a.kind)) {
        throw new InvalidInputError(`${ref.field}: artifact ${a.id} is a ${a.kind}, expected ${ref.kinds.join(' or ')}`, [
          violation(ref.field, 'artifactKind', `must be an artifact of kind ${ref.kinds.join(' or ')}`),
        ]);
      }
      const format = (a.meta as Record<string, unknown> | null)?.format;
      if (ref.formats && !ref.formats.includes(format as string)) {
        throw new InvalidInputError(`${ref.field}: artifact ${a.id} has format ${JSON.stringify(format ?? null)}, accepted: ${ref.formats.join(', ')}`, [
          violation(ref.field, 'artifactFormat', `must be an artifact of format ${ref.formats.join(' or ')}`),
        ]);
      }
    }
  }

  /** Records a new job's inputs in its creating transaction (an artefact deleted meanwhile fails the FK: 23503). */
  async recordInputs(m: EntityManager, jobId: string, refs: readonly ArtifactInputRef[]): Promise<void> {
    const seen = new Set<string>();
    for (const ref of refs) {
      if (seen.has(ref.id)) continue;
      seen.add(ref.id);
      await m.insert(JobArtifactInput, { jobId, artifactId: ref.id, field: ref.field });
    }
  }

  /** What a running job can do with artefacts (JobContext.artifacts). */
  forJob(teamId: string, jobId: string): JobArtifacts {
    return {
      input: (id) => this.inputOf(teamId, jobId, id),
      create: (a) => this.createPending(teamId, jobId, a),
      findCached: (kind, meta, field) => this.findCached(teamId, jobId, kind, meta, field),
    };
  }

  /** Read-only look-up for a kind's validate() (ArtifactLookup): the team's newest ready artefacts matching `meta`. */
  lookupFor(teamId: string): ArtifactLookup {
    return {
      cached: async (kind, meta, limit = 8) => {
        const rows = await this.artifacts.find({
          where: { teamId, kind, status: 'ready', meta: Raw((col) => `${col} @> CAST(:meta AS jsonb)`, { meta: JSON.stringify(meta) }) },
          order: { createdAt: 'DESC', id: 'DESC' },
          take: limit,
        });
        return rows.map((a) => this.inputView(a));
      },
    };
  }

  private inputView(a: Artifact): ArtifactInput {
    return { id: a.id, kind: a.kind, mediaType: a.mediaType, sha256: a.sha256, sizeBytes: Number(a.sizeBytes), path: this.storage.resolve(a.storagePath), meta: a.meta };
  }

  private async findCached(teamId: string, jobId: string, kind: ArtifactKind, meta: Record<string, string | number | boolean>, field: string): Promise<ArtifactInput | null> {
    return this.ds.transaction(async (m) => {
      const rows: Array<{ id: string }> = await m.query(
        `SELECT id FROM artifacts WHERE team_id = $1 AND kind = $2 AND status = 'ready' AND meta @> $3::jsonb ORDER BY created_at DESC, id DESC LIMIT 1 FOR SHARE`,
        [teamId, kind, JSON.stringify(meta)],
      );
      if (!rows.length) return null;
      await m.query(`INSERT INTO job_artifact_inputs (job_id, artifact_id, field) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [jobId, rows[0].id, field]);
      return this.inputView(await m.getRepository(Artifact).findOneByOrFail({ id: rows[0].id }));
    });
  }

  private async inputOf(teamId: string, jobId: string, id: string): Promise<ArtifactInput> {
    const declared = isUuid(id) ? await this.ds.getRepository(JobArtifactInput).findOneBy({ jobId, artifactId: id }) : null;
    const a = declared ? await this.artifacts.findOneBy({ id, teamId, status: 'ready' }) : null;
    if (!a) throw new NotFoundError(`artifact ${id} is not an input of job ${jobId} (or was deleted)`);
    return this.inputView(a);
  }

  private async createPending(teamId: string, jobId: string, a: NewJobArtifact): Promise<CreatedArtifact> {
    if (!(ARTIFACT_KINDS as readonly string[]).includes(a.kind)) throw new Error(`unknown artifact kind ${a.kind}`);
    const id = randomUUID();
    return this.storage.store(id, a.file, async (stored) => {
      await this.artifacts.insert({
        id,
        teamId,
        kind: a.kind,
        name: a.name,
        mediaType: a.mediaType,
        sha256: stored.sha256,
        sizeBytes: String(stored.size),
        jobId,
        status: 'pending',
        meta: (a.meta ?? {}) as Artifact['meta'] & object,
        storagePath: this.storage.relativePath(id),
      });
      return { id, sha256: stored.sha256, sizeBytes: stored.size };
    });
  }

  /** In the transaction that marks the job succeeded: its pending artefacts become visible. */
  async promote(m: EntityManager, jobId: string): Promise<number> {
    const r = await m.query(`UPDATE artifacts SET status = 'ready' WHERE job_id = $1 AND status = 'pending'`, [jobId]);
    return (r as [unknown, number])[1];
  }

  /** Removes the pending artefacts of a job (an attempt that did not succeed): rows first, then files. */
  async discardPending(jobId: string): Promise<number> {
    const rows: Array<{ id: string; storage_path: string }> = (
      await this.ds.query(`DELETE FROM artifacts WHERE job_id = $1 AND status = 'pending' RETURNING id, storage_path`, [jobId])
    )[0];
    for (const r of rows) await this.removeFile(r.id, r.storage_path);
    return rows.length;
  }

  private async removeFile(id: string, storagePath: string): Promise<void> {
    try {
      await this.storage.remove(storagePath);
    } catch (err) {
      // the row is gone, so the artefact is deleted; the file is an orphan to clean up by hand
      this.logger.error(`artifact ${id} deleted but its file at ${storagePath} could not be removed: ${(err as Error).message}`);
    }
  }
}
