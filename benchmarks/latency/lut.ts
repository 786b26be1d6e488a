/**
 * Latency look-up tables: per space (ScaleNet `small` preset over scaling stages 0..M, NSS `small` Expanded Search
 * Space at 32x32x3 / 10 classes), the LUT build time and entry count on the trainer's backend (selectBackend: wasm
 * here), then for ~30 sampled networks of each space the LUT prediction (sum of per-unit medians) against the
 * directly measured latency of the whole network (the same units chained into one forward, median of timed runs,
 * batch 1): Pearson r, Kendall tau-b, mean absolute % error. Writes benchmarks/results/latency-lut.json and
 * latency-lut.svg (predicted vs measured). CPU timings on a shared machine: the load average is recorded.
 *
 *   npm run bench:latency-lut [-- --spaces scalenet,nss --networks 30 --M 3 --warmup 3 --runs 11 --seed 1]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Rng } from '../../src/common/rng';
import { kendallTauB, pearsonR } from '../../src/benchmarks/stats/correlation';
import { LatencyTable, LatencyUnit, predictLatencyMs } from '../../src/search/spaces/cost';
import { sampleBaseModel } from '../../src/methods/scalenet/science/hss';
import { latencySpaceId, pathLatencyUnits, presetLatencyUnits } from '../../src/methods/scalenet/science/latency';
import { SMALL_PRESET, scalingSpace, stageStrategies } from '../../src/methods/scalenet/science/space';
import { archLatencyUnits, nssLatencySpaceId, spaceLatencyUnits } from '../../src/methods/nss/science/latency';
import { expandedSearchSpace, sampleArch, wholeSpace } from '../../src/methods/nss/science/space';
import { selectBackend } from '../../src/trainer/engine/backend';
import { buildLatencyTable, measureChainTimes } from '../../src/trainer/latency/measure';
import { renderScatter } from '../macro/scatter-svg';
import { RunProvenance } from '../common/provenance';

interface SpaceCase {
  name: string;
  space: string;
  inputShape: [number, number, number];
  units: () => LatencyUnit[];
  sample: (rng: Rng) => { label: string; units: LatencyUnit[] };
}

interface NetworkPoint {
  label: string;
  units: number;
  /** LUT prediction from the wall-clock entries, and the network's measured wall-clock median. */
  predictedMs: number;
  measuredMs: number;
  /** The same from process CPU time (robust to other processes on a shared CPU). */
  predictedCpuMs: number;
  measuredCpuMs: number;
}

function summarise(pred: number[], meas: number[]): { pearson: number; kendallTauB: number; meanAbsPctError: number; meanSignedPctError: number } {
  const n = pred.length;
  return {
    pearson: pearsonR(pred, meas),
    kendallTauB: kendallTauB(pred, meas),
    meanAbsPctError: (100 * pred.reduce((a, p, i) => a + Math.abs(p - meas[i]) / meas[i], 0)) / n,
    meanSignedPctError: (100 * pred.reduce((a, p, i) => a + (p - meas[i]) / meas[i], 0)) / n,
  };
}

function cases(M: number): Record<string, SpaceCase> {
  const sSpace = scalingSpace(SMALL_PRESET, M);
  const nss = expandedSearchSpace('small', [32, 32, 3], 10);
  return {
    scalenet: {
      name: `ScaleNet small preset, scaling stages 0..${M} (MBConv blocks, per-block keys)`,
      space: latencySpaceId(SMALL_PRESET, M),
      inputShape: [32, 32, 3],
      units: () => presetLatencyUnits(SMALL_PRESET, sSpace),
      sample: (rng) => {
        const j = rng.int(M + 1);
        const grid = stageStrategies(sSpace, j);
        const p = { base: sampleBaseModel(SMALL_PRESET, rng), strategy: grid[rng.int(grid.length)] };
        return { label: `S${j} d=${p.strategy.d} w=${p.strategy.w} r=${p.strategy.r}`, units: pathLatencyUnits(SMALL_PRESET, p) };
      },
    },
    nss: {
      name: 'NSS small Expanded Search Space, 32x32x3, 10 classes (basic residual blocks, per-block keys)',
      space: nssLatencySpaceId(nss),
      inputShape: [32, 32, 3],
      units: () => spaceLatencyUnits(nss),
      sample: (rng) => {
        const a = sampleArch(wholeSpace(nss), rng);
        return { label: `d=${a.depths.join(',')} w=${a.widths.join(',')}`, units: archLatencyUnits(nss, a) };
      },
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      spaces: { type: 'string', default: 'scalenet,nss' },
      networks: { type: 'string', default: '30' },
      M: { type: 'string', default: '3' },
      warmup: { type: 'string', default: '3' },
      runs: { type: 'string', default: '11' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: 'benchmarks/results/latency-lut.json' },
    },
  });
  const cfg = { spaces: values.spaces!.split(','), networks: Number(values.networks), M: Number(values.M), warmup: Number(values.warmup), runs: Number(values.runs), seed: Number(values.seed) };
  const prov = new RunProvenance('benchmarks/latency/lut.ts', ['TRAINER_BACKEND'], cfg);
  const backend = await selectBackend();
  console.log(`backend: ${backend.name} (${backend.reason})`);
  const all = cases(cfg.M);
  const results: Record<string, unknown>[] = [];
  const series: Array<{ label: string; color: string; points: Array<{ x: number; y: number }> }> = [];
  const colors = ['#1f77b4', '#9ecae1', '#d62728', '#fc9272'];
  for (const [i, key] of cfg.spaces.entries()) {
    const c = all[key];
    if (!c) throw new Error(`unknown space ${key}`);
    const load0 = os.loadavg()[0];
    const t0 = performance.now();
    let last = 0;
    const table: LatencyTable = await buildLatencyTable(c.space, c.inputShape, c.units(), {
      warmup: cfg.warmup,
      runs: cfg.runs,
      onProgress: (d, n) => {
        if (d - last >= 500 || d === n) {
          last = d;
          console.log(`  ${key}: ${d}/${n} units, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
        }
      },
    });
    const entries = Object.keys(table.entries).length;
    console.log(`${key}: LUT of ${entries} entries built in ${table.buildSeconds.toFixed(1)} s`);
    const rng = Rng.fromSeed(cfg.seed);
    const points: NetworkPoint[] = [];
    for (let n = 0; n < cfg.networks; n++) {
      const net = c.sample(rng);
      const predictedMs = predictLatencyMs(table, net.units);
      const predictedCpuMs = predictLatencyMs({ space: table.space, entries: table.cpuEntries ?? {}, overheadMs: table.cpuOverheadMs }, net.units);
      const m = await measureChainTimes(net.units, { warmup: cfg.warmup, runs: cfg.runs });
      points.push({ label: net.label, units: net.units.length, predictedMs, measuredMs: m.wallMs, predictedCpuMs, measuredCpuMs: m.cpuMs });
    }
    const summary = summarise(points.map((p) => p.predictedMs), points.map((p) => p.measuredMs));
    const cpuSummary = summarise(points.map((p) => p.predictedCpuMs), points.map((p) => p.measuredCpuMs));
    const mape = summary.meanAbsPctError;
    for (const [what, s] of [['wall clock', summary], ['CPU time', cpuSummary]] as const) {
      console.log(`${key} (${what}): ${points.length} networks, Pearson ${s.pearson.toFixed(3)}, Kendall tau-b ${s.kendallTauB.toFixed(3)}, MAPE ${s.meanAbsPctError.toFixed(1)} % (mean signed ${s.meanSignedPctError.toFixed(1)} %)`);
    }
    results.push({
      space: key,
      description: c.name,
      table: { space: table.space, entries, buildSeconds: table.buildSeconds, overheadMs: table.overheadMs, cpuOverheadMs: table.cpuOverheadMs, backend: table.backend, threads: table.threads, machine: table.machine, measurement: table.measurement },
      loadAvg1m: { atStart: load0, atEnd: os.loadavg()[0] },
      networks: points.length,
      summary,
      cpuSummary,
      points,
    });
    series.push({ label: `${key} wall (r=${summary.pearson.toFixed(3)}, tau=${summary.kendallTauB.toFixed(3)}, MAPE ${mape.toFixed(1)} %)`, color: colors[(2 * i) % colors.length], points: points.map((p) => ({ x: p.measuredMs, y: p.predictedMs })) });
    series.push({ label: `${key} CPU time (r=${cpuSummary.pearson.toFixed(3)}, tau=${cpuSummary.kendallTauB.toFixed(3)}, MAPE ${cpuSummary.meanAbsPctError.toFixed(1)} %)`, color: colors[(2 * i + 1) % colors.length], points: points.map((p) => ({ x: p.measuredCpuMs, y: p.predictedCpuMs })) });
  }
  const maxMs = Math.max(...series.flatMap((s) => s.points.flatMap((p) => [p.x, p.y])));
  series.push({ label: 'y = x', color: '#999999', points: Array.from({ length: 41 }, (_, k) => ({ x: (k / 40) * maxMs, y: (k / 40) * maxMs })) });
  const file = prov.writeResultJson(values.out!, {
    what: 'LUT-predicted (sum of per-unit medians) vs directly measured (whole network as one forward of the same units) batch-1 latency on the trainer backend',
    backend,
    caveat: 'CPU timings on a shared 2-core machine (load average recorded); a LUT prediction, not an on-device measurement; the direct measurement runs the same ops chained, not the training code path',
    results,
  });
  const svg = renderScatter({
    title: 'Latency LUT: predicted vs measured (batch 1)',
    subtitle: `${backend.name} backend, ${cfg.networks} sampled networks per space, median of ${cfg.runs} runs`,
    xLabel: 'measured whole network (ms, wall clock or process CPU time)',
    yLabel: 'LUT prediction (ms)',
    series,
  });
  fs.writeFileSync(path.join(path.dirname(file), `${path.basename(file, '.json')}.svg`), svg);
  console.log(`wrote ${file}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
