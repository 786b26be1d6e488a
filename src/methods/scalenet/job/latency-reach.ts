/**
 * Submission-time reach check of ScaleNet latency budgets: when the team already has latency tables of the job's
 * space (cached `latency-table` artefacts, one per machine and backend setting), a budget below the fastest path of
 * its scaling stage on every one of them is refused before any job is created (400 naming spec.maxLatencyMs).
 * Without a table the check runs in the job, right after the table is built (the job then fails with 422).
 */
import { InvalidInputError } from '../../../common/errors';
import type { ArtifactLookup } from '../../../artifacts/artifact-kinds';
import { readLatencyTable, latencyCacheMeta } from '../../../trainer/latency/latency-job';
import type { LatencyTable } from '../../../search/spaces/cost';
import { latencyReachError, latencyReachViolation, latencySpaceId, pathLatencyMs, stageFastestMs } from '../science/latency';
import { extremeBases } from '../science/problem';
import type { ScaleNetPreset, ScalingSpace } from '../science/space';

type Violation = NonNullable<ReturnType<typeof latencyReachViolation>>;

/** Throws InvalidInputError when every cached table of the space puts a budget out of reach; no table: no check. */
export async function checkCachedLatencyReach(lookup: ArtifactLookup, preset: ScaleNetPreset, space: ScalingSpace, M: number, budgetsMs: readonly number[], field: string): Promise<void> {
  const { host: _anyHost, ...meta } = latencyCacheMeta(latencySpaceId(preset, M)); // a table of any machine: the worker is not known yet
  let lenient: { v: Violation; where: string } | null = null;
  for (const a of await lookup.cached('latency-table', meta)) {
    let table: LatencyTable;
    let fastest: number[];
    try {
      table = readLatencyTable(a.path);
      fastest = stageFastestMs(space, (p) => pathLatencyMs(table, preset, p), extremeBases(preset).min);
    } catch {
      continue; // unreadable or deleted meanwhile: the job checks again with the table it uses
    }
    const v = latencyReachViolation(budgetsMs, fastest);
    if (!v) return; // reachable on at least one measured machine
    if (!lenient || v.fastestMs < lenient.v.fastestMs) lenient = { v, where: `measured on ${table.machine} (${table.backend}), latency-table artefact ${a.id}` };
  }
  if (lenient) throw latencyReachError(InvalidInputError, field, lenient.v, lenient.where);
}
