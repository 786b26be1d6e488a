// A δ sweep (Sec. 5.1: δ is the knob of the accuracy/parameters trade-off): one CONet search per δ, then, when
// asked, each final configuration retrained and tested; the trade-off curve and the configuration that best meets
// the team's target. Resumable at the granularity of one trial or one retrain: the state is JSON and `sweepStep`
// does exactly one unit of work, so a job checkpoints after every call. With weights 'transplant' the state also
// carries the last trial's weights (typed arrays): sweepToCheckpoint / sweepFromCheckpoint split them off the JSON.
import type { BatchStream } from '../../../datasets/pipeline';
import type { CheckpointArray } from '../../../trainer/checkpoint-file';
import { Alg2Params } from '../science/alg2';
import { SweepPoint, Target, TargetRule, bestForTarget, tradeOffCurve } from '../science/targets';
import { ConetNetworkSpec } from './network-spec';
import { RetrainOptions, RetrainResult, retrainAndTest } from './retrain';
import { ConetRunState, ConetTrainOptions, runTrial, startRun } from './trial-runner';
import { carriedFromArrays, carriedToArrays } from './transplant';

export interface SweepContext {
  spec: ConetNetworkSpec;
  train: BatchStream;
  /** test stream for the retrain; null = no retrain */
  test: BatchStream | null;
  /** search options; alg2.delta is replaced by each δ of the sweep */
  search: ConetTrainOptions;
  retrain: RetrainOptions | null;
  /** FLOPs (multiply-adds) of a configuration */
  flops: (sizes: ReadonlyMap<number, number>) => number;
  boundary?: () => Promise<void>;
}

export interface SweepState {
  deltas: number[];
  runs: ConetRunState[];
  retrained: Array<RetrainResult | null>;
}

export function startSweep(spec: Pick<ConetNetworkSpec, 'initialSizes'>, deltas: readonly number[], alg2: Pick<Alg2Params, 'phi0'>): SweepState {
  if (deltas.length === 0) throw new RangeError('a sweep needs at least one delta');
  return { deltas: [...deltas], runs: deltas.map(() => startRun(spec, alg2)), retrained: deltas.map(() => null) };
}

/** Final sizes of a finished search (the sizes after its last decision). */
export function finalSizes(run: ConetRunState): Map<number, number> {
  return new Map(run.search.groups.map((g) => [g.group, g.channels]));
}

export function sweepDone(s: SweepState, ctx: Pick<SweepContext, 'test' | 'retrain'>): boolean {
  const wantRetrain = ctx.test !== null && ctx.retrain !== null;
  return s.runs.every((r, i) => r.search.stopped && (!wantRetrain || s.retrained[i] !== null));
}

/** One unit of work: the next trial of the first unfinished search, else the next retrain. */
export async function sweepStep(s: SweepState, ctx: SweepContext): Promise<SweepState> {
  const i = s.runs.findIndex((r) => !r.search.stopped);
  if (i >= 0) {
    const options = { ...ctx.search, alg2: { ...ctx.search.alg2, delta: s.deltas[i] } };
    const next = await runTrial(s.runs[i], { spec: ctx.spec, train: ctx.train, options, boundary: ctx.boundary });
    return { ...s, runs: s.runs.map((r, k) => (k === i ? next : r)) };
  }
  const j = s.retrained.findIndex((r) => r === null);
  if (j >= 0 && ctx.test !== null && ctx.retrain !== null) {
    const r = await retrainAndTest(ctx.spec, finalSizes(s.runs[j]), ctx.train, ctx.test, ctx.retrain, ctx.boundary);
    return { ...s, retrained: s.retrained.map((x, k) => (k === j ? r : x)) };
  }
  throw new RangeError('the sweep is already done');
}

/** The sweep's points (params, FLOPs, accuracy when retrained). */
export function sweepPoints(s: SweepState, ctx: Pick<SweepContext, 'spec' | 'flops'>): SweepPoint[] {
  return s.runs.map((r, i) => {
    const sizes = finalSizes(r);
    return { delta: s.deltas[i], params: ctx.spec.paramCount(sizes), flops: ctx.flops(sizes), latencyMs: null, accuracy: s.retrained[i]?.testAccuracy ?? null };
  });
}

export interface SweepSummary {
  curve: Array<SweepPoint & { dominated: boolean }>;
  best: { point: SweepPoint; within: boolean } | null;
}

export function sweepSummary(s: SweepState, ctx: Pick<SweepContext, 'spec' | 'flops'>, target: Target | null, rule: TargetRule = 'budget'): SweepSummary {
  const points = sweepPoints(s, ctx);
  return { curve: tradeOffCurve(points), best: target ? bestForTarget(points, target, rule) : null };
}

/** A sweep state as JSON: every run's carried weights replaced by their shapes (the values are checkpoint arrays). */
export interface SweepJson {
  sweep: SweepState;
  /** per run: name -> shape of the carried weights, null when none */
  carriedShapes: Array<Record<string, number[]> | null>;
}

const carriedPrefix = (run: number): string => `carried/${run}/`;

/** Splits the carried weights off a sweep state: JSON for the checkpoint's state, typed arrays for its arrays. */
export function sweepToCheckpoint(s: SweepState): { json: SweepJson; arrays: Record<string, CheckpointArray> } {
  const arrays: Record<string, CheckpointArray> = {};
  const carriedShapes = s.runs.map((r, i) => {
    if (!r.carried) return null;
    const c = carriedToArrays(r.carried, carriedPrefix(i));
    Object.assign(arrays, c.arrays);
    return c.shapes;
  });
  const runs = s.runs.map((r) => {
    const { carried: _omit, ...rest } = r;
    void _omit;
    return rest;
  });
  return { json: { sweep: { ...s, runs }, carriedShapes }, arrays };
}

/** Inverse of sweepToCheckpoint; throws when the arrays do not fit the shapes. */
export function sweepFromCheckpoint(json: SweepJson, arrays: Record<string, CheckpointArray>): SweepState {
  const shapes = json.carriedShapes ?? [];
  return { ...json.sweep, runs: json.sweep.runs.map((r, i) => (shapes[i] ? { ...r, carried: carriedFromArrays(shapes[i]!, arrays, carriedPrefix(i)) } : r)) };
}
