import { Injectable } from '@nestjs/common';
import { UnprocessableError, violation } from '../common/errors';
import { BenchmarksCatalogDto } from './dto/catalog.dto';
import { Nb201ArchQuery, Nb201ArchRecordDto } from './dto/arch.dto';
import { NB201_SOURCE } from './dto/common.dto';
import { Nb201CorrelationRequestDto, Nb201CorrelationResponseDto } from './dto/correlation.dto';
import { Nb201ParetoQuery, Nb201ParetoResponseDto } from './dto/pareto.dto';
import { Nb201QueryRequestDto, Nb201QueryResponseDto } from './dto/query.dto';
import { paretoFront } from './nb201/pareto';
import { queryNb201 } from './nb201/query';
import { resolveArchKey, resolveDevice, resolveMetric } from './nb201/resolve';
import { NB201_SEED_DATASETS } from './nb201/table';
import { NB201_DATASETS, NB201_OPS } from './nb201/types';
import { MACRO_GROUND_TRUTH } from './macro/types';
import { MacroTableService } from './macro-table.service';
import { Nb201TableService } from './nb201-table.service';
import { badField, readScorePairs } from './score-pairs';
import { correlate } from './stats/correlation';

const nullIfNaN = (v: number): number | null => (Number.isNaN(v) ? null : v);

@Injectable()
export class BenchmarksService {
  constructor(
    private readonly tables: Nb201TableService,
    private readonly macro: MacroTableService,
  ) {}

  catalog(): BenchmarksCatalogDto {
    const s = this.tables.status();
    const t = s.table;
    return {
      benchmarks: [
        {
          name: 'nb201',
          title: 'NAS-Bench-201 / NATS-Bench topology search space (15,625 cells; CIFAR-10, CIFAR-100, ImageNet16-120)',
          available: t !== null,
          status: s.status,
          message: s.message,
          dataDir: this.tables.dir,
          size: t ? t.size : null,
          isoClassCount: t ? t.isoClassCount : null,
          datasets: [...NB201_DATASETS],
          metrics: t ? t.accuracyMetrics.map((m) => ({ ...m })) : [],
          devices: t ? [...t.devices] : [],
          costMetrics: ['flops', 'params', 'latency'],
          loadMs: s.loadMs,
        },
        this.macroInfo(),
      ],
    };
  }

  private macroInfo(): BenchmarksCatalogDto['benchmarks'][number] {
    const s = this.macro.status();
    const t = s.table;
    return {
      name: 'macro',
      title: 'NAS-Bench-Macro (8-layer MobileNetV2-block macro space; 6,561 keys = 3,969 distinct networks; CIFAR-10)',
      available: t !== null,
      status: s.status,
      message: s.message,
      dataDir: this.macro.dir,
      size: t ? t.size : null,
      isoClassCount: t ? t.networkCount : null,
      datasets: [MACRO_GROUND_TRUTH.dataset],
      metrics: [{ ...MACRO_GROUND_TRUTH }],
      devices: [],
      costMetrics: ['flops', 'params'],
      loadMs: s.loadMs,
    };
  }

  async arch(key: string, q: Nb201ArchQuery): Promise<Nb201ArchRecordDto> {
    const t = await this.tables.get();
    const i = resolveArchKey(t, key, 'key');
    const datasets = q.dataset ? [q.dataset] : NB201_DATASETS;
    const iso = t.isoClass(i);
    return {
      index: i,
      archStr: t.archStr(i),
      opCode: t.opCode(i),
      ops: t.ops(i).map((o) => NB201_OPS[o]),
      isoClass: iso,
      isoClassKey: t.isoClassKey(iso),
      isoClassMembers: [...t.isoClassMembersOf(iso)],
      accuracies: t.accuracyMetrics
        .filter((m) => datasets.includes(m.dataset) && (q.epochs === undefined || m.epochs === q.epochs))
        // fields listed rather than `{ ...m, accuracy }`: on Node 20 the spread copies of the table's long-lived metric
        // objects outlived young-generation GCs (promoted ~1 MB/s at 500 look-ups/s; see src/common/express-adapter.ts)
        .map((m) => ({ dataset: m.dataset, split: m.split, epochs: m.epochs, accuracy: t.accuracy(i, m.dataset, m.split, m.epochs) })),
      seedValidAccuracies:
        q.epochs === 12
          ? []
          : NB201_SEED_DATASETS.filter((d) => datasets.includes(d)).map((d) => ({
              dataset: d,
              split: 'valid',
              epochs: 200,
              runs: t.seedValidAccuracies(i, d),
            })),
      costs: datasets.map((d) => ({ dataset: d, flops: t.flops(i, d), params: t.params(i, d) })),
      latencies: t.devices.map((device) => ({ device, ms: nullIfNaN(t.latency(i, device)) })),
      source: NB201_SOURCE,
    };
  }

  async query(body: Nb201QueryRequestDto): Promise<Nb201QueryResponseDto> {
    const t = await this.tables.get();
    const metric = resolveMetric(t, body.dataset ?? 'cifar10', body.split, body.epochs);
    const needsDevice = body.maxLatencyMs !== undefined || body.sortBy === 'latency';
    const device = resolveDevice(t, body.device, 'device', needsDevice);
    let indices: number[] | undefined;
    if (body.keys) {
      const keys = body.keys;
      indices = new Array<number>(keys.length);
      for (let j = 0; j < keys.length; j++) indices[j] = resolveArchKey(t, keys[j], `keys[${j}]`);
    }
    const r = queryNb201(t, { ...body, indices, metric, device });
    return {
      ...metric,
      device: device ?? null,
      requested: indices ? indices.length : t.size,
      matched: r.matched,
      results: r.rows.map((row) => ({
        index: row.index,
        archStr: t.archStr(row.index),
        accuracy: nullIfNaN(row.accuracy),
        flops: row.flops,
        params: row.params,
        ...(row.latencyMs !== undefined ? { latencyMs: nullIfNaN(row.latencyMs) } : {}),
      })),
      source: NB201_SOURCE,
    };
  }

  async pareto(q: Nb201ParetoQuery): Promise<Nb201ParetoResponseDto> {
    const t = await this.tables.get();
    const metric = resolveMetric(t, q.dataset ?? 'cifar10', q.split, q.epochs);
    const cost = q.cost ?? 'flops';
    const device = resolveDevice(t, q.device, 'device', cost === 'latency');
    const acc = t.accuracyColumn(metric.dataset, metric.split, metric.epochs)!;
    const costCol = cost === 'latency' ? t.latencyColumn(device!)! : cost === 'params' ? t.paramsColumn(metric.dataset)! : t.flopsColumn(metric.dataset)!;
    let candidates = 0;
    for (let i = 0; i < t.size; i++) if (Number.isFinite(acc[i]) && Number.isFinite(costCol[i])) candidates++;
    const front = paretoFront(costCol, acc);
    return {
      ...metric,
      cost,
      device: device ?? null,
      costUnit: cost === 'latency' ? 'ms' : cost === 'params' ? 'M params' : 'MFLOPs',
      candidates,
      front: front.map((i) => ({ index: i, archStr: t.archStr(i), accuracy: acc[i], cost: costCol[i] })),
      source: NB201_SOURCE,
    };
  }

  async correlation(body: Nb201CorrelationRequestDto): Promise<Nb201CorrelationResponseDto> {
    const t = await this.tables.get();
    const metric = resolveMetric(t, body.dataset ?? 'cifar10', body.split, body.epochs);
    const truthCol = t.accuracyColumn(metric.dataset, metric.split, metric.epochs)!;
    const { indices, scores } = readScorePairs(body.pairs, t.size, (arch, field) => resolveArchKey(t, arch, field), (i) => `architecture: index ${i} was`);
    const n = indices.length;
    const truth = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const i = indices[j];
      if (!Number.isFinite(truthCol[i])) {
        throw new UnprocessableError(`pairs[${j}].arch: the tables have no ${metric.split} accuracy at ${metric.epochs} epochs on ${metric.dataset} for index ${i}`, [
          violation(`pairs[${j}].arch`, 'hasGroundTruth', 'no ground-truth value for this arch'),
        ]);
      }
      truth[j] = truthCol[i];
    }
    const ks = body.topK ?? [10, 100].filter((k) => k <= n);
    const tooBig = ks.findIndex((k) => k > n);
    if (tooBig >= 0) throw bad(`topK[${tooBig}]`, 'max', `k must be at most n = ${n}`);
    const r = correlate(scores, truth, ks);
    return {
      n: r.n,
      kendallTau: nullIfNaN(r.kendallTau),
      spearmanRho: nullIfNaN(r.spearmanRho),
      pearsonR: nullIfNaN(r.pearsonR),
      topK: r.topK,
      groundTruth: metric,
      source: NB201_SOURCE,
    };
  }
}

const bad = badField;
