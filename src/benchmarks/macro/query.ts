import type { MacroData } from './table';

export const MACRO_SORT_KEYS = ['key', 'accuracy', 'flops', 'params'] as const;
export type MacroSortKey = (typeof MACRO_SORT_KEYS)[number];

export interface MacroQuerySpec {
  /** Key indices to consider (request order); all 6,561 keys when absent. */
  indices?: readonly number[];
  maxFlops?: number;
  maxParams?: number;
  minAccuracy?: number;
  /** Keep only the first key (in consideration order) of each network. */
  distinct?: boolean;
  sortBy?: MacroSortKey;
  order?: 'asc' | 'desc';
  limit?: number;
}

export interface MacroQueryRow {
  index: number;
  network: number;
  accuracy: number;
  flops: number;
  params: number;
}

export interface MacroQueryResult {
  /** Rows that passed the filters (and the distinct rule), before `limit`. */
  matched: number;
  /** Distinct networks among the matched rows. */
  matchedNetworks: number;
  rows: MacroQueryRow[];
}

/**
 * Filter and sort keys by mean accuracy and cost (pure; the caller validated the spec). Without `distinct` every key
 * of a network appears; with it, one key per network: the first given one in request order, or for the whole table
 * the network's canonical key (its stride-1 identities at the end of each stage).
 */
export function queryMacro(t: MacroData, spec: MacroQuerySpec): MacroQueryResult {
  const acc = t.meanAccuracyColumn();
  const flops = t.flopsColumn();
  const params = t.paramsColumn();
  const seenNetwork = new Uint8Array(t.networkCount);
  let networks = 0;
  const rows: MacroQueryRow[] = [];
  const candidates: ArrayLike<number> | undefined = spec.indices ?? (spec.distinct ? [...t.representativeIndices()].sort((a, b) => a - b) : undefined);
  const n = candidates ? candidates.length : t.size;
  for (let j = 0; j < n; j++) {
    const i = candidates ? candidates[j] : j;
    if (spec.maxFlops !== undefined && !(flops[i] <= spec.maxFlops)) continue;
    if (spec.maxParams !== undefined && !(params[i] <= spec.maxParams)) continue;
    if (spec.minAccuracy !== undefined && !(acc[i] >= spec.minAccuracy)) continue;
    const net = t.network(i);
    if (seenNetwork[net]) {
      if (spec.distinct) continue;
    } else {
      seenNetwork[net] = 1;
      networks++;
    }
    rows.push({ index: i, network: net, accuracy: acc[i], flops: flops[i], params: params[i] });
  }
  if (spec.sortBy) {
    const key = spec.sortBy;
    const sign = (spec.order ?? (key === 'accuracy' ? 'desc' : 'asc')) === 'asc' ? 1 : -1;
    const val = (r: MacroQueryRow): number => (key === 'key' ? r.index : r[key]);
    rows.sort((a, b) => sign * (val(a) - val(b)) || a.index - b.index);
  }
  return { matched: rows.length, matchedNetworks: networks, rows: spec.limit !== undefined ? rows.slice(0, spec.limit) : rows };
}
