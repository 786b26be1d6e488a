import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, In, Repository } from 'typeorm';
import type { Team } from '../auth/team.entity';
import { ConflictError, InvalidInputError, NotFoundError, violation } from '../common/errors';
import { Page, pageNewestFirst } from '../common/keyset-page';
import { APP_CONFIG, AppConfig } from '../config/config';
import { Job } from '../jobs/job.entity';
import { Dataset, DatasetFormat } from './dataset.entity';
import { DatasetStorage } from './dataset-storage';
import { CreateDatasetBody } from './dto/create-dataset.dto';
import { ListDatasetsQuery } from './dto/list-datasets.query';
import { BUILTIN_DATASETS, BuiltinDatasetName, isBuiltinDatasetName } from './formats';
import { UploadedPart, ingestUpload } from './ingest';
import { UploadSlots } from './upload/upload-slots';
import * as fs from 'node:fs/promises';
import { isUuid } from '../common/uuid';

/** All files of one upload may decompress to at most this many times config.maxUploadBytes (a disk bound; memory does not grow with it). */
export const DECOMPRESSION_FACTOR = 4;
/** Temp/trash directories older than this are crash leftovers and removed at start-up. */
const SWEEP_AFTER_MS = 60 * 60 * 1000;
const ACTIVE_JOB_STATUSES = ['queued', 'running'] as const;

/** What a job's `spec.dataset` refers to. */
export type ResolvedDataset =
  | { kind: 'builtin'; name: BuiltinDatasetName }
  | {
      kind: 'uploaded';
      id: string;
      /** absolute directory of the stored files (pass to loadStoredDataset) */
      dir: string;
      /** the same directory relative to config.storageDir, as in the row */
      storagePath: string;
      format: DatasetFormat;
      /** role -> stored file name */
      files: Record<string, string>;
      name: string;
    };

@Injectable()
export class DatasetsService implements OnModuleInit {
  private readonly logger = new Logger(DatasetsService.name);
  readonly storage: DatasetStorage;
  /** Uploads being received and checked at once (per process and per team). */
  readonly uploadSlots: UploadSlots;

  constructor(
    @InjectRepository(Dataset) private readonly datasets: Repository<Dataset>,
    private readonly ds: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.storage = new DatasetStorage(config.storageDir);
    this.uploadSlots = new UploadSlots(config.maxConcurrentUploads, config.maxConcurrentUploadsPerTeam);
  }

  async onModuleInit(): Promise<void> {
    try {
      const removed = await this.storage.sweep(SWEEP_AFTER_MS);
      if (removed.length) this.logger.warn(`removed ${removed.length} leftover temp dataset directories: ${removed.join(', ')}`);
    } catch (err) {
      this.logger.warn(`could not sweep ${this.storage.root}: ${(err as Error).message}`);
    }
  }

  /**
   * Validates the upload completely while streaming its files, decompressed, into a staging directory; then moves
   * that into place and inserts the row. The uploaded parts are files on disk (see DiskUploadStorage) or buffers.
   */
  async create(team: Team, body: CreateDatasetBody, files: Record<string, Express.Multer.File[]> | undefined): Promise<Dataset> {
    const parts: Record<string, UploadedPart[]> = {};
    for (const [field, list] of Object.entries(files ?? {})) {
      parts[field] = list.map((f) => ({ field, originalName: f.originalname, ...(f.path ? { path: f.path } : { data: f.buffer }) }));
    }
    const id = randomUUID();
    const staged = await this.storage.tempDir(id);
    try {
      const limits = { maxDecompressedBytes: DECOMPRESSION_FACTOR * this.config.maxUploadBytes, maxImages: this.config.maxUploadImages };
      const ingested = await ingestUpload(body.format, parts, limits, staged);
      const storagePath = this.storage.relativePath(id);
      await this.storage.commitStaged(id, staged, ingested.files, async () => {
        await this.datasets.insert({
          id,
          teamId: team.id,
          name: body.name,
          format: body.format,
          sha256: ingested.sha256,
          sizeBytes: String(ingested.sizeBytes),
          numTrain: ingested.summary.numTrain,
          numTest: ingested.summary.numTest,
          numClasses: ingested.summary.numClasses,
          imageShape: ingested.summary.imageShape,
          storagePath,
          files: ingested.fileNames,
        });
      });
      return this.datasets.findOneByOrFail({ id });
    } finally {
      await fs.rm(staged, { recursive: true, force: true }).catch(() => undefined); // gone already after a commit
    }
  }

  /** The team's datasets, newest first; keyset pagination on (created_at, id). */
  async list(team: Team, q: ListDatasetsQuery): Promise<Page<Dataset>> {
    const qb = this.datasets.createQueryBuilder('d').where('d.team_id = :team', { team: team.id });
    return pageNewestFirst(qb, 'd', q.limit ?? 20, q.cursor);
  }

  /** A dataset of the team; another team's dataset is "not found". */
  async get(team: Team, id: string): Promise<Dataset> {
    const d = isUuid(id) ? await this.datasets.findOneBy({ id, teamId: team.id }) : null;
    if (!d) throw new NotFoundError(`dataset ${id} not found`);
    return d;
  }

  /**
   * Deletes the row (refused while a queued or running job uses the dataset), then the files. The row is locked
   * first, which also waits for a job insert that references it (the FK check takes a KEY SHARE lock).
   */
  async remove(team: Team, id: string): Promise<void> {
    const storagePath = await this.ds.transaction(async (m) => {
      const rows: { storage_path: string }[] = await m.query(`SELECT storage_path FROM datasets WHERE id = $1 AND team_id = $2 FOR UPDATE`, [id, team.id]);
      if (!rows.length) throw new NotFoundError(`dataset ${id} not found`);
      const active = await m.getRepository(Job).find({
        select: { id: true, status: true },
        where: { datasetId: id, status: In([...ACTIVE_JOB_STATUSES]) },
        order: { createdAt: 'ASC' },
        take: 5,
      });
      if (active.length) {
        const list = active.map((j) => `${j.id} (${j.status})`).join(', ');
        throw new ConflictError(`dataset ${id} is used by active job(s) ${list}; cancel them or wait until they finish`, [
          violation('id', 'notInUse', 'a dataset used by a queued or running job cannot be deleted'),
        ]);
      }
      await m.query(`DELETE FROM datasets WHERE id = $1`, [id]);
      return rows[0].storage_path;
    });
    try {
      await this.storage.remove(storagePath);
    } catch (err) {
      // the row is gone, so the dataset is deleted; the files are an orphan to clean up by hand
      this.logger.error(`dataset ${id} deleted but its files at ${storagePath} could not be removed: ${(err as Error).message}`);
    }
  }

  /**
   * Resolves a job spec's `dataset` field: a builtin name (BUILTIN_DATASETS) or the id of one of the
   * team's uploaded datasets. Anything else is an InvalidInputError on field `spec.dataset`.
   */
  async resolveForJob(team: Pick<Team, 'id'>, datasetRef: string): Promise<ResolvedDataset> {
    if (isBuiltinDatasetName(datasetRef)) return { kind: 'builtin', name: datasetRef };
    const d = isUuid(datasetRef) ? await this.datasets.findOneBy({ id: datasetRef, teamId: team.id }) : null;
    if (!d) {
      const builtins = BUILTIN_DATASETS.join(', ');
      throw new InvalidInputError(`spec.dataset must be a builtin dataset (${builtins}) or the id of one of your uploaded datasets, got ${JSON.stringify(datasetRef)}`, [
        violation('spec.dataset', 'isDataset', `must be one of ${builtins} or the id of one of your team's uploaded datasets`),
      ]);
    }
    return { kind: 'uploaded', id: d.id, dir: this.storage.resolve(d.storagePath), storagePath: d.storagePath, format: d.format, files: { ...d.files }, name: d.name };
  }
}
