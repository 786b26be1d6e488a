/**
 * A job's latency table: the team's cached `latency-table` artefact for the space, this machine and this backend
 * setting, or (none yet) one built now by the `latency-table` trainer task and stored as an artefact for later jobs
 * (visible once this job succeeds, like every artefact). Scope: team (artefacts are team-scoped; a team builds its
 * own table once per space, machine and backend setting).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UnprocessableError, violation } from '../../common/errors';
import type { JobContext } from '../../jobs/job-kind';
import { LATENCY_TABLE_FORMAT, LatencyTable, LatencyUnit, parseLatencyTable } from '../../search/spaces/cost';
import type { TrainerKindDeps } from '../trainer-job';
import { LATENCY_TABLE_TASK } from './handle';

/** The variable that forces the trainer's backend (engine/backend.ts; not imported: that module loads TensorFlow.js). */
const TRAINER_BACKEND_ENV = 'TRAINER_BACKEND';

export const LATENCY_TABLE_MEDIA_TYPE = 'application/json';

export interface LatencyTableRequest {
  /** Space id (e.g. `scalenet:small:M3:3x32x32:10`). */
  space: string;
  inputShape: [number, number, number];
  /** Every unit the space's networks can have (called only when the table has to be built). */
  units: () => LatencyUnit[];
  /** Spec field the latency target came from (named in errors). */
  field: string;
}

/** Where a job's table came from (reported in its result). */
export interface LatencyTableSource {
  artifactId: string | null;
  /** true: built by this job (buildSeconds is its build time); false: a cached artefact. */
  built: boolean;
  buildSeconds: number | null;
  entries: number;
  backend: string;
  threads: number | null;
  machine: string;
  space: string;
}

/** The lookup key of a cached table: space, machine (host) and the backend setting of this worker. */
export function latencyCacheMeta(space: string): Record<string, string> {
  return { format: LATENCY_TABLE_FORMAT, space, host: os.hostname(), backendSetting: process.env[TRAINER_BACKEND_ENV]?.trim() || 'auto' };
}

/** LATENCY_LUT_WARMUP / LATENCY_LUT_RUNS override the warm-up and timed runs per unit (defaults 3 and 11; tests use fewer). */
function measureSettings(): { warmup?: number; runs?: number } {
  const int = (name: string, min: number): number | undefined => {
    const v = process.env[name];
    if (v === undefined || v.trim() === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}, got ${v}`);
    return n;
  };
  const warmup = int('LATENCY_LUT_WARMUP', 0);
  const runs = int('LATENCY_LUT_RUNS', 1);
  return { ...(warmup !== undefined ? { warmup } : {}), ...(runs !== undefined ? { runs } : {}) };
}

export function readLatencyTable(file: string): LatencyTable {
  return parseLatencyTable(JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** The table for `req`: cached artefact, or built now (and stored). Returns the table file and where it came from. */
export async function ensureLatencyTable<S>(
  deps: Pick<TrainerKindDeps, 'trainer'>,
  ctx: JobContext<S, unknown>,
  dir: string,
  req: LatencyTableRequest,
): Promise<{ file: string; table: LatencyTable; source: LatencyTableSource }> {
  const meta = latencyCacheMeta(req.space);
  const artifacts = ctx.artifacts;
  const cached = artifacts?.findCached ? await artifacts.findCached('latency-table', meta, 'latencyTable') : null;
  if (cached) {
    const table = readLatencyTable(cached.path);
    return { file: cached.path, table, source: sourceOf(table, cached.id, false) };
  }
  const units = req.units();
  if (units.length === 0) throw new UnprocessableError(`${req.field}: the space has no latency units`, [violation(req.field, 'latencyTable', 'the space has no latency units')]);
  const file = path.join(dir, 'latency-table.json');
  await ctx.progress({ fraction: 0, phase: 'latency-table', message: `building the latency table of ${req.space} (${units.length} units)` }).catch(() => undefined);
  await deps.trainer.run(LATENCY_TABLE_TASK, { space: req.space, inputShape: req.inputShape, units, file, ...measureSettings() }, {
    checkpointDir: path.join(dir, 'latency'),
    resumeFrom: null,
    signal: ctx.signal,
    onProgress: (p) => {
      ctx.progress({ fraction: p.fraction, phase: 'latency-table', message: p.message, data: { units: p.step } }).catch(() => undefined);
    },
  });
  const table = readLatencyTable(file);
  let id: string | null = null;
  if (artifacts) {
    id = (
      await artifacts.create({
        kind: 'latency-table',
        name: `latency table ${req.space} (${table.backend}, ${Object.keys(table.entries).length} units)`,
        mediaType: LATENCY_TABLE_MEDIA_TYPE,
        file,
        meta: { ...meta, backend: table.backend, threads: table.threads, machine: table.machine, entries: Object.keys(table.entries).length, buildSeconds: table.buildSeconds },
      })
    ).id;
  }
  return { file, table, source: sourceOf(table, id, true) };
}

function sourceOf(t: LatencyTable, artifactId: string | null, built: boolean): LatencyTableSource {
  return { artifactId, built, buildSeconds: built ? t.buildSeconds : null, entries: Object.keys(t.entries).length, backend: t.backend, threads: t.threads, machine: t.machine, space: t.space };
}
