// CONet δ sweep (Sec. 5.1: "a small δ yields larger parameter counts, and larger δ yields smaller"): the trade-off
// curve of a sweep and the configuration that best meets a team's params / FLOPs / latency target.
//
// "Best meets" (our reading; the paper has no target): rule 'budget' (default) treats the target as a budget —
// among the points at or under it, the most accurate (accuracy known) or else the largest one (closest from
// below); when none fits, the smallest point, flagged within = false. Option 'closest': the point with the least
// |metric − target| (ties: the more accurate, then the smaller).

export type TargetMetric = 'params' | 'flops' | 'latency';

/** Space id of CONet's per-layer latency table (src/search/spaces/cost/latency.ts): its keys carry every layer's shape, so one table serves every CONet network. */
export const CONET_LATENCY_SPACE = 'conet:layers';

export interface SweepPoint {
  delta: number;
  params: number;
  flops: number;
  /** per-layer LUT latency in ms on the service's backend (latency targets only) */
  latencyMs: number | null;
  /** retrained test accuracy, when asked for */
  accuracy: number | null;
}

export interface Target {
  metric: TargetMetric;
  value: number;
}

export type TargetRule = 'budget' | 'closest';

function metricOf(p: SweepPoint, m: TargetMetric): number {
  const v = m === 'params' ? p.params : m === 'flops' ? p.flops : p.latencyMs;
  if (v === null || !Number.isFinite(v)) throw new RangeError(`sweep point delta=${p.delta} has no ${m}`);
  return v;
}

/** The sweep ordered by δ, each point flagged when another point has at most its params and higher accuracy. */
export function tradeOffCurve(points: readonly SweepPoint[]): Array<SweepPoint & { dominated: boolean }> {
  return [...points]
    .sort((a, b) => a.delta - b.delta)
    .map((p) => ({
      ...p,
      dominated:
        p.accuracy !== null &&
        points.some((q) => q !== p && q.accuracy !== null && q.params <= p.params && q.accuracy >= p.accuracy! && (q.params < p.params || q.accuracy > p.accuracy!)),
    }));
}

/** The sweep point that best meets the target (see the rules above). */
export function bestForTarget(points: readonly SweepPoint[], target: Target, rule: TargetRule = 'budget'): { point: SweepPoint; within: boolean } {
  if (points.length === 0) throw new RangeError('empty sweep');
  const acc = (p: SweepPoint): number => p.accuracy ?? -Infinity;
  const m = (p: SweepPoint): number => metricOf(p, target.metric);
  if (rule === 'closest') {
    const best = [...points].sort((a, b) => Math.abs(m(a) - target.value) - Math.abs(m(b) - target.value) || acc(b) - acc(a) || m(a) - m(b))[0];
    return { point: best, within: m(best) <= target.value };
  }
  const fit = points.filter((p) => m(p) <= target.value);
  if (fit.length === 0) return { point: [...points].sort((a, b) => m(a) - m(b))[0], within: false };
  const anyAcc = fit.some((p) => p.accuracy !== null);
  const best = [...fit].sort((a, b) => (anyAcc ? acc(b) - acc(a) || m(b) - m(a) : m(b) - m(a)))[0];
  return { point: best, within: true };
}
