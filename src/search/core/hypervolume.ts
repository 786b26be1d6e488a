/**
 * Exact hypervolume of a two-objective point set (both objectives MINIMISED): the area of the region dominated by
 * the set and bounded by the reference point `ref` (Zitzler & Thiele 1998, the S metric). Points that do not strictly
 * dominate `ref` in both objectives add nothing. O(n log n): sort by the first objective, sweep the staircase.
 */
export type Point2 = readonly [number, number];

/** Exact 2-D hypervolume of `points` with respect to `ref` (minimisation in both objectives). */
export function hypervolume2d(points: readonly (readonly number[])[], ref: Point2): number {
  if (!Number.isFinite(ref[0]) || !Number.isFinite(ref[1])) throw new RangeError('hypervolume reference point must be finite');
  const pts: Point2[] = [];
  for (const p of points) {
    if (p.length !== 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) throw new RangeError('hypervolume2d needs finite points with 2 objectives');
    if (p[0] < ref[0] && p[1] < ref[1]) pts.push([p[0], p[1]]);
  }
  pts.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let area = 0;
  let bestY = ref[1]; // lowest second objective seen so far (the staircase's current height)
  for (let i = 0; i < pts.length; i++) {
    const [x, y] = pts[i];
    if (y >= bestY) continue; // dominated (or equal) by an earlier point
    // this point owns the strip from its x to the next x where a lower point starts; summed as rectangles:
    // each non-dominated point adds (ref0 - x) * (bestY - y)
    area += (ref[0] - x) * (bestY - y);
    bestY = y;
  }
  return area;
}

/** The non-dominated subset of a 2-D point set (minimisation), sorted by the first objective; duplicates kept once. */
export function paretoFront2d(points: readonly (readonly number[])[]): Point2[] {
  const pts = points.map((p) => [p[0], p[1]] as Point2).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Point2[] = [];
  let bestY = Infinity;
  for (const p of pts) {
    if (p[1] < bestY) {
      out.push(p);
      bestY = p[1];
    }
  }
  return out;
}
