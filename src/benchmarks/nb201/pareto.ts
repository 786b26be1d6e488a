/**
 * Exact Pareto front for "maximise accuracy, minimise cost" by sort-and-sweep, O(n log n).
 * A point is dominated when another has cost <= and accuracy >= with at least one strict; points with identical
 * (cost, accuracy) do not dominate each other, so all copies of a front point are returned.
 */
export function paretoFront(cost: ArrayLike<number>, accuracy: ArrayLike<number>, candidates?: ArrayLike<number>): number[] {
  const m = candidates ? candidates.length : cost.length;
  const idx: number[] = [];
  for (let j = 0; j < m; j++) {
    const i = candidates ? candidates[j] : j;
    if (Number.isFinite(cost[i]) && Number.isFinite(accuracy[i])) idx.push(i);
  }
  idx.sort((a, b) => cost[a] - cost[b] || accuracy[b] - accuracy[a] || a - b);
  const front: number[] = [];
  let bestBelow = -Infinity; // best accuracy among strictly cheaper points
  let g = 0;
  while (g < idx.length) {
    const c = cost[idx[g]];
    const top = accuracy[idx[g]];
    let end = g;
    while (end < idx.length && cost[idx[end]] === c) end++;
    if (top > bestBelow) {
      for (let k = g; k < end && accuracy[idx[k]] === top; k++) front.push(idx[k]);
      bestBelow = top;
    }
    g = end;
  }
  return front;
}

/** O(n^2) definition of the front (reference for tests). */
export function paretoFrontNaive(cost: ArrayLike<number>, accuracy: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < cost.length; i++) {
    if (!Number.isFinite(cost[i]) || !Number.isFinite(accuracy[i])) continue;
    let dominated = false;
    for (let j = 0; j < cost.length && !dominated; j++) {
      if (!Number.isFinite(cost[j]) || !Number.isFinite(accuracy[j])) continue;
      dominated = cost[j] <= cost[i] && accuracy[j] >= accuracy[i] && (cost[j] < cost[i] || accuracy[j] > accuracy[i]);
    }
    if (!dominated) out.push(i);
  }
  return out.sort((a, b) => cost[a] - cost[b] || accuracy[b] - accuracy[a] || a - b);
}
