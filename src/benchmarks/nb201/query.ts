import { Nb201Metric } from './resolve';
import { Nb201Data } from './table';

export type Nb201SortKey = 'index' | 'accuracy' | 'flops' | 'params' | 'latency';
export type SortOrder = 'asc' | 'desc';

export interface Nb201QuerySpec {
  /** Architecture indices to consider (in request order); all archs when absent. */
  indices?: readonly number[];
  metric: Nb201Metric;
  device?: string;
  maxFlops?: number;
  maxParams?: number;
  maxLatencyMs?: number;
  minAccuracy?: number;
  sortBy?: Nb201SortKey;
  order?: SortOrder;
  limit?: number;
}

export interface Nb201QueryRow {
  index: number;
  accuracy: number;
  flops: number;
  params: number;
  latencyMs?: number;
}

export interface Nb201QueryResult {
  /** Rows that passed the filters, before `limit`. */
  matched: number;
  rows: Nb201QueryRow[];
}

/** Filter and sort a batch of archs (pure; the caller validated the spec). */
export function queryNb201(table: Nb201Data, spec: Nb201QuerySpec): Nb201QueryResult {
  const { dataset, split, epochs } = spec.metric;
  const acc = table.accuracyColumn(dataset, split, epochs)!;
  const flops = table.flopsColumn(dataset)!;
  const params = table.paramsColumn(dataset)!;
  const lat = spec.device ? table.latencyColumn(spec.device) : undefined;
  const rows: Nb201QueryRow[] = [];
  const n = spec.indices ? spec.indices.length : table.size;
  for (let j = 0; j < n; j++) {
    const i = spec.indices ? spec.indices[j] : j;
    if (spec.maxFlops !== undefined && !(flops[i] <= spec.maxFlops)) continue;
    if (spec.maxParams !== undefined && !(params[i] <= spec.maxParams)) continue;
    if (spec.maxLatencyMs !== undefined && !(lat![i] <= spec.maxLatencyMs)) continue;
    if (spec.minAccuracy !== undefined && !(acc[i] >= spec.minAccuracy)) continue;
    const row: Nb201QueryRow = { index: i, accuracy: acc[i], flops: flops[i], params: params[i] };
    if (lat) row.latencyMs = lat[i];
    rows.push(row);
  }
  if (spec.sortBy) {
    const key = spec.sortBy;
    const sign = (spec.order ?? (key === 'accuracy' ? 'desc' : 'asc')) === 'asc' ? 1 : -1;
    const val = (r: Nb201QueryRow): number => (key === 'latency' ? r.latencyMs ?? NaN : r[key]);
    // NaN values (e.g. a missing latency) go last in either order; ties keep index order
    rows.sort((a, b) => {
      const va = val(a);
      const vb = val(b);
      if (Number.isNaN(va) || Number.isNaN(vb)) return Number.isNaN(va) ? (Number.isNaN(vb) ? a.index - b.index : 1) : -1;
      return sign * (va - vb) || a.index - b.index;
    });
  }
  return { matched: rows.length, rows: spec.limit !== undefined ? rows.slice(0, spec.limit) : rows };
}
