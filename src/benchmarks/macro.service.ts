import { Injectable } from '@nestjs/common';
import { MACRO_LAYERS, MACRO_OPS, isNoOpIdentity } from '../search/spaces/macro';
import {
  MacroArchRecordDto,
  MacroCorrelationRequestDto,
  MacroCorrelationResponseDto,
  MacroParetoQuery,
  MacroParetoResponseDto,
  MacroQueryRequestDto,
  MacroQueryResponseDto,
} from './dto/macro.dto';
import { queryMacro } from './macro/query';
import { resolveMacroKey } from './macro/resolve';
import { MACRO_GROUND_TRUTH, MACRO_SOURCE } from './macro/types';
import { MacroTableService } from './macro-table.service';
import { paretoFront } from './nb201/pareto';
import { readScorePairs, badField } from './score-pairs';
import { correlate } from './stats/correlation';

const nullIfNaN = (v: number): number | null => (Number.isNaN(v) ? null : v);

const bad = badField;

/** The NAS-Bench-Macro endpoints: look-up, query with cost filters, exact Pareto front, ranking correlation. */
@Injectable()
export class MacroBenchmarkService {
  constructor(private readonly tables: MacroTableService) {}

  async arch(key: string): Promise<MacroArchRecordDto> {
    const t = await this.tables.get();
    const i = resolveMacroKey(t, key, 'key');
    const ops = t.ops(i);
    const net = t.network(i);
    return {
      key: t.keyOf(i),
      index: i,
      ops: ops.map((o) => MACRO_OPS[o]),
      layers: MACRO_LAYERS.map((l) => ({
        layer: l.layer,
        stage: l.stage,
        op: MACRO_OPS[ops[l.layer]],
        stride: l.stride,
        inChannels: l.inChannels,
        outChannels: l.outChannels,
        outResolution: l.outResolution,
        noOp: ops[l.layer] === 0 && isNoOpIdentity(l),
      })),
      network: net,
      canonicalKey: t.keyOf(t.networkRepresentative(net)),
      equivalentKeys: t.networkMembers(net).map((m) => t.keyOf(m)),
      testAccuracies: t.testAccuracies(i),
      meanAccuracy: t.meanAccuracy(i),
      std: t.std(i),
      params: t.params(i),
      flops: t.flops(i),
      groundTruth: { ...MACRO_GROUND_TRUTH },
      source: MACRO_SOURCE,
    };
  }

  async query(body: MacroQueryRequestDto): Promise<MacroQueryResponseDto> {
    const t = await this.tables.get();
    let indices: number[] | undefined;
    if (body.keys) {
      const keys = body.keys;
      indices = new Array<number>(keys.length);
      for (let j = 0; j < keys.length; j++) indices[j] = resolveMacroKey(t, keys[j], `keys[${j}]`);
    }
    const r = queryMacro(t, { ...body, indices });
    return {
      requested: indices ? indices.length : body.distinct ? t.networkCount : t.size,
      matched: r.matched,
      matchedNetworks: r.matchedNetworks,
      results: r.rows.map((row) => ({
        key: t.keyOf(row.index),
        canonicalKey: t.keyOf(t.networkRepresentative(row.network)),
        network: row.network,
        accuracy: row.accuracy,
        flops: row.flops,
        params: row.params,
      })),
      groundTruth: { ...MACRO_GROUND_TRUTH },
      source: MACRO_SOURCE,
    };
  }

  async pareto(q: MacroParetoQuery): Promise<MacroParetoResponseDto> {
    const t = await this.tables.get();
    const cost = q.cost ?? 'flops';
    const costCol = cost === 'params' ? t.paramsColumn() : t.flopsColumn();
    const acc = t.meanAccuracyColumn();
    // over networks (one canonical key each): the keys of a network share one record, so the front over all keys is
    // this front with every equivalent key added
    const front = paretoFront(costCol, acc, t.representativeIndices());
    return {
      cost,
      costUnit: cost === 'params' ? 'params' : 'multiply-adds',
      candidateKeys: t.size,
      candidateNetworks: t.networkCount,
      front: front.map((i) => {
        const net = t.network(i);
        return {
          key: t.keyOf(i),
          network: net,
          equivalentKeys: t.networkMembers(net).map((m) => t.keyOf(m)),
          accuracy: acc[i],
          cost: costCol[i],
          flops: t.flops(i),
          params: t.params(i),
        };
      }),
      groundTruth: { ...MACRO_GROUND_TRUTH },
      source: MACRO_SOURCE,
    };
  }

  async correlation(body: MacroCorrelationRequestDto): Promise<MacroCorrelationResponseDto> {
    const t = await this.tables.get();
    const groupBy = body.groupBy ?? 'key';
    const { indices, scores } = readScorePairs(body.pairs, t.size, (arch, field) => resolveMacroKey(t, arch, field), (i) => `key ${t.keyOf(i)}:`);
    const networks = new Map<number, { sum: number; count: number }>();
    for (let j = 0; j < indices.length; j++) {
      const net = t.network(indices[j]);
      const g = networks.get(net) ?? { sum: 0, count: 0 };
      g.sum += scores[j];
      g.count++;
      networks.set(net, g);
    }
    const truthCol = t.meanAccuracyColumn();
    let x: Float64Array;
    let y: Float64Array;
    if (groupBy === 'network') {
      x = new Float64Array(networks.size);
      y = new Float64Array(networks.size);
      let j = 0;
      for (const [net, g] of networks) {
        x[j] = g.sum / g.count;
        y[j] = truthCol[t.networkRepresentative(net)];
        j++;
      }
    } else {
      x = scores;
      y = Float64Array.from(indices, (i) => truthCol[i]);
    }
    const n = x.length;
    if (n < 2) throw bad('pairs', 'minNetworks', 'groupBy=network needs keys of at least 2 distinct networks');
    const ks = body.topK ?? [10, 100].filter((k) => k <= n);
    const tooBig = ks.findIndex((k) => k > n);
    if (tooBig >= 0) throw bad(`topK[${tooBig}]`, 'max', `k must be at most n = ${n} (${groupBy === 'network' ? 'networks' : 'keys'})`);
    const r = correlate(x, y, ks);
    return {
      groupBy,
      n: r.n,
      keys: indices.length,
      networks: networks.size,
      kendallTau: nullIfNaN(r.kendallTau),
      spearmanRho: nullIfNaN(r.spearmanRho),
      pearsonR: nullIfNaN(r.pearsonR),
      topK: r.topK,
      groundTruth: { ...MACRO_GROUND_TRUTH },
      source: MACRO_SOURCE,
    };
  }
}

/** Validate the {arch, score} pairs (each field named on error) and resolve their keys; a key may appear once. */
