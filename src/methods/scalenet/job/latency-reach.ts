/**
 * Submission-time reach check of ScaleNet latency budgets (before any job is created; 400 naming spec.maxLatencyMs):
 * - the team has latency tables of the job's space (cached `latency-table` artefacts, one per machine and backend
 *   setting): a budget below the fastest path of its scaling stage on every one of them is refused;
 * - no table yet: a probe measures only the fastest path of each stage (a few dozen units, in the trainer's probe
 *   pool) and a budget below LATENCY_PROBE_MARGIN x that estimate is refused. Closer budgets, and any
 *   probe that fails or times out, are left to the job, which checks against the full table right after building it
 *   (422 naming spec.maxLatencyMs).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidInputError } from '../../../common/errors';
import type { ArtifactLookup } from '../../../artifacts/artifact-kinds';
import { LATENCY_TABLE_TASK } from '../../../trainer/latency/handle';
import { readLatencyTable, latencyCacheMeta } from '../../../trainer/latency/latency-job';
import type { TrainerKindDeps } from '../../../trainer/trainer-job';
import { distinctUnits, LatencyTable } from '../../../search/spaces/cost';
import { latencyReachError, latencyReachViolation, latencySpaceId, pathLatencyMs, pathLatencyUnits, stageFastestMs, stageFastestPaths } from '../science/latency';
import { extremeBases } from '../science/problem';
import type { ScaleNetPreset, ScalingSpace } from '../science/space';

/**
 * A probe runs on the API's machine, possibly while that machine trains, and its few timed runs are noisy: only
 * budgets below a third of its estimate are refused at submission.
 */
export const LATENCY_PROBE_MARGIN = 1 / 3;
/** A probe that takes longer than this is abandoned (the job checks instead). */
export const LATENCY_PROBE_TIMEOUT_MS = 30_000;

type Violation = NonNullable<ReturnType<typeof latencyReachViolation>>;

export interface LatencyReachRequest {
  preset: ScaleNetPreset;
  space: ScalingSpace;
  M: number;
  budgetsMs: readonly number[];
  field: string;
}

/**
 * Against the team's cached tables of the space: throws InvalidInputError when every table puts a budget out of
 * reach; returns false when there is no readable table (nothing checked), true when checked and within reach.
 */
export async function checkCachedLatencyReach(lookup: ArtifactLookup, req: LatencyReachRequest): Promise<boolean> {
  const { host: _anyHost, ...meta } = latencyCacheMeta(latencySpaceId(req.preset, req.M)); // any machine: the worker is not known yet
  let lenient: { v: Violation; where: string } | null = null;
  for (const a of await lookup.cached('latency-table', meta)) {
    let table: LatencyTable;
    let fastest: number[];
    try {
      table = readLatencyTable(a.path);
      fastest = stageFastestMs(req.space, (p) => pathLatencyMs(table, req.preset, p), extremeBases(req.preset).min);
    } catch {
      continue; // unreadable or deleted meanwhile: the job checks again with the table it uses
    }
    const v = latencyReachViolation(req.budgetsMs, fastest);
    if (!v) return true; // reachable on at least one measured machine
    if (!lenient || v.fastestMs < lenient.v.fastestMs) lenient = { v, where: `measured on ${table.machine} (${table.backend}), latency-table artefact ${a.id}` };
  }
  if (lenient) throw latencyReachError(InvalidInputError, req.field, lenient.v, lenient.where);
  return false;
}

/** Each stage's fastest-path latency (ms) measured by a probe, and where; null when the probe cannot run or fails. */
export async function probeStageFastestMs(trainer: TrainerKindDeps['trainer'], workDir: string, req: Pick<LatencyReachRequest, 'preset' | 'space' | 'M'>): Promise<{ fastestMs: number[]; where: string } | null> {
  if (!trainer.probe) return null;
  const fastest = extremeBases(req.preset).min;
  const paths = stageFastestPaths(req.space, fastest);
  const units = distinctUnits(paths.flatMap((p) => pathLatencyUnits(req.preset, p)));
  const dir = path.join(workDir, randomUUID());
  try {
    const file = path.join(dir, 'latency-probe.json');
    const input = { space: latencySpaceId(req.preset, req.M), inputShape: [req.preset.resolution, req.preset.resolution, req.preset.inChannels] as [number, number, number], units, file };
    await trainer.probe(LATENCY_TABLE_TASK, input, { checkpointDir: path.join(dir, 'checkpoints'), resumeFrom: null, signal: AbortSignal.timeout(LATENCY_PROBE_TIMEOUT_MS) });
    const table = readLatencyTable(file);
    return { fastestMs: paths.map((p) => pathLatencyMs(table, req.preset, p)), where: `of a probe on ${table.machine} (${table.backend}); no latency table of this space is cached yet` };
  } catch {
    return null;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Refuses a budget below LATENCY_PROBE_MARGIN x the probe's estimate of its stage's fastest path. */
export function checkProbedLatencyReach(req: Pick<LatencyReachRequest, 'budgetsMs' | 'field'>, probe: { fastestMs: number[]; where: string }): void {
  const v = latencyReachViolation(req.budgetsMs, probe.fastestMs.map((ms) => ms * LATENCY_PROBE_MARGIN));
  if (v) throw latencyReachError(InvalidInputError, req.field, { ...v, fastestMs: probe.fastestMs[v.stage] }, `${probe.where}; the budget is under ${Math.round(LATENCY_PROBE_MARGIN * 100)} % of it`);
}
