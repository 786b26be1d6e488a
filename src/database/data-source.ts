import * as path from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { Artifact, JobArtifactInput } from '../artifacts/artifact.entity';
import { ApiKey } from '../auth/api-key.entity';
import { Team } from '../auth/team.entity';
import { Dataset } from '../datasets/dataset.entity';
import { JobEvent } from '../jobs/job-event.entity';
import { Job } from '../jobs/job.entity';
import { ResilientPgClient } from './pg-client';

export const ENTITIES = [Team, ApiKey, Dataset, Job, JobEvent, Artifact, JobArtifactInput];

/** Compiled migrations live in dist/migrations; schema changes only through them (never synchronize). */
const MIGRATIONS_GLOB = path.join(__dirname, '..', '..', 'migrations', '*.js');

/**
 * A session left idle inside a transaction this long is ended by the server, which releases its row locks. A worker
 * frozen mid-transaction (SIGSTOP, a paused VM) would otherwise block every other worker's update of that job row,
 * the lease reaper's included, until it woke up. Every transaction of the service is a few short statements.
 */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 30_000;

export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: [MIGRATIONS_GLOB],
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    logging: false,
    extra: { max: 10, Client: ResilientPgClient, idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS },
  };
}

export async function runMigrations(url: string): Promise<string[]> {
  const ds = new DataSource(dataSourceOptions(url));
  await ds.initialize();
  try {
    const ran = await ds.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

/** True when every migration shipped with the code has been applied. */
export async function migrationsApplied(ds: DataSource): Promise<boolean> {
  return !(await ds.showMigrations());
}
