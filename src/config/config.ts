import * as path from 'node:path';

/** Repository root, whether running from src (ts) or dist/src (compiled). */
export const REPO_ROOT: string = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..');

export interface AppConfig {
  /** Explicit PostgreSQL URL; when absent an embedded PostgreSQL is started. */
  databaseUrl: string | undefined;
  port: number;
  /** Directory of the bundled data (nasbench201/, natsbench_sss/, nasbench_macro/, images/); default: the repo's data/. */
  dataDir: string;
  /** Where uploaded datasets and checkpoints are stored. */
  storageDir: string;
  /** Parent folder of the embedded PostgreSQL data directory. */
  embeddedPgDir: string;
  embeddedPgPort: number;
  /** Run a queue worker inside the API process. */
  inProcessWorker: boolean;
  maxUploadBytes: number;
  jobMaxAttempts: number;
  /** A running job whose heartbeat is older than this is considered orphaned and re-queued. */
  leaseSeconds: number;
  heartbeatMs: number;
  workerConcurrency: number;
  piscinaThreads: number;
  /** Trainer child processes running at once on this worker (one per GPU, a few on CPU). */
  trainerConcurrency: number;
  logLevel: string;
  /** Apply pending migrations when the API or a worker starts (turn off where a separate migration step runs). */
  migrateOnStart: boolean;
  /** Dataset uploads being received at once by this process, and by one team (beyond: 429 with Retry-After). */
  maxConcurrentUploads: number;
  maxConcurrentUploadsPerTeam: number;
  /** Images (train + test) one upload may hold: the absolute bound on its decompressed size, from the format. */
  maxUploadImages: number;
  /** Failed authentications per client address within authFailureWindowSeconds before it is blocked (429). */
  authFailureLimit: number;
  authFailureWindowSeconds: number;
  authFailureBlockSeconds: number;
  /** When set, GET /metrics needs `Authorization: Bearer <metricsToken>`. */
  metricsToken: string | undefined;
}

function int(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v)) throw new Error(`environment variable ${name} must be a number, got "${raw}"`);
  return v;
}

function bool(name: string, fallback: boolean): boolean {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  return !['0', 'false', 'no', 'off'].includes(raw.toLowerCase());
}

export function loadConfig(): AppConfig {
  return {
    databaseUrl: process.env.DATABASE_URL || undefined,
    port: int('PORT', 3000),
    dataDir: path.resolve(process.env.NAS_DATA_DIR ?? path.join(REPO_ROOT, 'data')),
    storageDir: path.resolve(process.env.STORAGE_DIR ?? path.join(REPO_ROOT, '.data', 'storage')),
    embeddedPgDir: path.resolve(process.env.EMBEDDED_PG_DIR ?? path.join(REPO_ROOT, '.data', 'pg')),
    embeddedPgPort: int('EMBEDDED_PG_PORT', 54329),
    inProcessWorker: bool('IN_PROCESS_WORKER', true),
    maxUploadBytes: int('MAX_UPLOAD_BYTES', 256 * 1024 * 1024),
    jobMaxAttempts: int('JOB_MAX_ATTEMPTS', 3),
    leaseSeconds: int('JOB_LEASE_SECONDS', 30),
    heartbeatMs: int('JOB_HEARTBEAT_MS', 1000),
    workerConcurrency: int('WORKER_CONCURRENCY', 2),
    piscinaThreads: int('PISCINA_THREADS', 2),
    trainerConcurrency: int('TRAINER_CONCURRENCY', 1),
    logLevel: process.env.LOG_LEVEL ?? 'info',
    migrateOnStart: bool('MIGRATE_ON_START', true),
    maxConcurrentUploads: int('MAX_CONCURRENT_UPLOADS', 4),
    maxConcurrentUploadsPerTeam: int('MAX_CONCURRENT_UPLOADS_PER_TEAM', 2),
    maxUploadImages: int('MAX_UPLOAD_IMAGES', 100_000),
    authFailureLimit: int('AUTH_FAILURE_LIMIT', 20),
    authFailureWindowSeconds: int('AUTH_FAILURE_WINDOW_SECONDS', 60),
    authFailureBlockSeconds: int('AUTH_FAILURE_BLOCK_SECONDS', 60),
    metricsToken: process.env.METRICS_TOKEN || undefined,
  };
}

export const APP_CONFIG = Symbol('APP_CONFIG');
