/**
 * ScaleNet Fig. 3 / Fig. 9 evidence: FLOPs histogram of sampled super-supernet paths, HSS (Eq. 1-2, equal eta) vs the
 * original uniform sampling, for a preset (default `paper`, Table 6 at 224x224 with Table 7, M = 3). f0 is chosen as in
 * appendix A (Monte Carlo over base paths at S0 = [1,1,1], nearest multiple of the preset's quantum), f_j = 2^j f0.
 * Pure counting (no training): the paper took 750,000 paths per sampler, this takes SAMPLES (default 100,000).
 * Usage: npm run build && npm run bench:scalenet-hss   (env SAMPLES, F0_SAMPLES, SEED, PRESET, BIN (multiply-adds), OUT)
 * Writes benchmarks/results/<OUT>.json and .svg (OUT default scalenet-hss).
 */
import { RunProvenance } from '../common/provenance';
import { execSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '../../src/common/rng';
import { estimateF0, exponentialBudgets, nearestMultiple } from '../../src/methods/scalenet/science/budgets';
import { pathFlops } from '../../src/methods/scalenet/science/cost';
import { SampledPath, pathSampler, sampleBaseModelJoint } from '../../src/methods/scalenet/science/hss';
import { baseSpaceSize, presetByName, scalingSpace, scalingSpaceSize } from '../../src/methods/scalenet/science/space';
import { writeHistogramSvg } from './svg';

const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const PRESET = process.env.PRESET ?? 'paper';
const preset = presetByName(PRESET);
const CONFIG = { preset: PRESET, M: 3, samples: env('SAMPLES', 100_000), f0Samples: env('F0_SAMPLES', 100_000), seed: env('SEED', 1), bin: env('BIN', PRESET === 'paper' ? 50e6 : 1e6), eta: 'equal' };
const OUT = process.env.OUT ?? 'scalenet-hss';

function sampleFlops(sampler: (rng: Rng) => SampledPath, rng: Rng, n: number): { flops: Float64Array; stage: Int8Array } {
  const flops = new Float64Array(n);
  const stage = new Int8Array(n);
  for (let i = 0; i < n; i++) {
    const p = sampler(rng);
    flops[i] = pathFlops(preset, p);
    stage[i] = p.stage;
  }
  return { flops, stage };
}

function histogram(v: Float64Array, edges: number[]): number[] {
  const counts = new Array(edges.length - 1).fill(0);
  const w = edges[1] - edges[0];
  for (const x of v) counts[Math.min(counts.length - 1, Math.floor((x - edges[0]) / w))]++;
  return counts;
}

const stats = (v: ArrayLike<number>): { mean: number; std: number; min: number; max: number } => {
  let s = 0;
  let s2 = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) {
    s += v[i];
    s2 += v[i] * v[i];
    min = Math.min(min, v[i]);
    max = Math.max(max, v[i]);
  }
  const mean = s / v.length;
  return { mean, std: Math.sqrt(Math.max(0, s2 / v.length - mean * mean)), min, max };
};

/** Share of paths whose FLOPs lie within +-tol of each budget (how many paths each scaling stage's search can use). */
const nearBudget = (v: Float64Array, budgets: number[], tol: number): number[] => budgets.map((b) => v.filter((x) => Math.abs(x - b) <= tol * b).length / v.length);

function main(): void {
  const t0 = Date.now();
  const space = scalingSpace(preset, CONFIG.M);
  const est = estimateF0(preset, Rng.fromSeed(CONFIG.seed), CONFIG.f0Samples);
  const budgets = exponentialBudgets(est.f0, CONFIG.M);
  // why f0 may differ from the paper's 350M: the same Monte Carlo under other readings (not used for the budgets)
  const joint = estimateF0(preset, Rng.fromSeed(CONFIG.seed + 3), Math.min(CONFIG.f0Samples, 20_000), preset.f0Quantum, sampleBaseModelJoint);
  const f0Alternatives = {
    note: 'Same Monte Carlo under other readings, for comparison only; the budgets use f0 above (conv + FC multiply-adds, per-choice uniform base sampling).',
    countingAllLayers: { meanFlops: est.meanAllLayerMacs, f0: nearestMultiple(est.meanAllLayerMacs, preset.f0Quantum), what: 'also counting BN, pooling, SE rescale and residual adds' },
    baseUniformOverWholeSpace: { samples: joint.samples, meanFlops: joint.meanFlops, f0: joint.f0, what: 'base model uniform over the whole base space (stage depth n with probability proportional to 12^n)' },
  };
  const hss = sampleFlops(pathSampler(preset, space, 'hss'), Rng.fromSeed(CONFIG.seed + 1), CONFIG.samples);
  const uni = sampleFlops(pathSampler(preset, space, 'uniform'), Rng.fromSeed(CONFIG.seed + 2), CONFIG.samples);
  const hi = Math.max(stats(hss.flops).max, stats(uni.flops).max);
  const edges: number[] = [];
  for (let e = 0; e <= hi + CONFIG.bin; e += CONFIG.bin) edges.push(e);
  const hssCounts = histogram(hss.flops, edges);
  const uniCounts = histogram(uni.flops, edges);
  const perStage = Array.from({ length: CONFIG.M + 1 }, (_, j) => {
    const v = hss.flops.filter((_, i) => hss.stage[i] === j);
    return { stage: j, budget: budgets[j], paths: v.length, ...stats(v) };
  });
  const tol = 0.1;
  const commit = (() => {
    try {
      return execSync('git rev-parse HEAD', { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  const result = {
    what: 'ScaleNet Fig. 3 / Fig. 9: FLOPs histogram of sampled paths, HSS (equal eta) vs original uniform sampling. Counting only, no training.',
    preset: PRESET,
    presetDoc: preset.doc,
    f0: est.f0,
    f0Estimate: est,
    paperF0: PRESET === 'paper' ? 350e6 : null,
    f0Alternatives,
    budgets,
    flopsConvention: 'multiply-adds of conv + FC layers incl. SE and bias adds; BN, activations, pooling, SE rescale and residual adds not counted',
    searchSpace: { baseModels: baseSpaceSize(preset), scalingStrategies: scalingSpaceSize(space), joint: baseSpaceSize(preset) * scalingSpaceSize(space), paperJoint: 2e26 },
    hss: { binEdges: edges, counts: hssCounts, ...stats(hss.flops), perStage, shareWithin10PctOfBudget: nearBudget(hss.flops, budgets, tol) },
    uniform: { binEdges: edges, counts: uniCounts, ...stats(uni.flops), mode: 'per-dimension', shareWithin10PctOfBudget: nearBudget(uni.flops, budgets, tol) },
    command: 'npm run bench:scalenet-hss (node dist/benchmarks/scalenet/hss.js)',
    commit,
    time: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', node: process.version },
    config: CONFIG,
    wallSeconds: (Date.now() - t0) / 1000,
  };
  const dir = path.join(__dirname, '..', '..', '..', 'benchmarks', 'results');
  fs.mkdirSync(dir, { recursive: true });
  new RunProvenance('dist/benchmarks/scalenet/hss.js', ['OUT', 'PRESET'], { config: CONFIG }).writeResultJson(path.join(dir, `${OUT}.json`), result);
  writeHistogramSvg(
    path.join(dir, `${OUT}.svg`),
    `ScaleNet ${PRESET} preset: FLOPs of ${CONFIG.samples.toLocaleString('en')} sampled paths, HSS vs uniform (M = 3)`,
    edges,
    [
      { label: 'HSS (equal eta)', color: '#1f77b4', counts: hssCounts },
      { label: 'uniform (original)', color: '#d62728', counts: uniCounts },
    ],
    budgets,
    `f0 = ${(est.f0 / 1e6).toFixed(0)}M from ${est.samples.toLocaleString('en')} base paths (mean ${(est.meanFlops / 1e6).toFixed(1)}M); f_j = 2^j f0. Paper: f0 = 350M, 750,000 paths. ` +
      `Bins of ${(CONFIG.bin / 1e6).toFixed(0)}M; counting only (no training). commit ${commit.slice(0, 10)}`,
  );
  console.log(`preset ${PRESET}: base mean ${(est.meanFlops / 1e6).toFixed(2)}M (std ${(est.stdFlops / 1e6).toFixed(2)}M) over ${est.samples} -> f0 = ${(est.f0 / 1e6).toFixed(0)}M; budgets ${budgets.map((b) => (b / 1e6).toFixed(0) + 'M').join(', ')}`);
  console.log(`f0 alternatives: all layers counted mean ${(est.meanAllLayerMacs / 1e6).toFixed(2)}M -> ${(f0Alternatives.countingAllLayers.f0 / 1e6).toFixed(0)}M; base uniform over whole space mean ${(joint.meanFlops / 1e6).toFixed(2)}M -> ${(joint.f0 / 1e6).toFixed(0)}M`);
  console.log(`HSS mean ${(result.hss.mean / 1e6).toFixed(1)}M std ${(result.hss.std / 1e6).toFixed(1)}M; per stage means ${perStage.map((s) => (s.mean / 1e6).toFixed(1) + 'M').join(', ')}`);
  console.log(`uniform mean ${(result.uniform.mean / 1e6).toFixed(1)}M std ${(result.uniform.std / 1e6).toFixed(1)}M`);
  console.log(`share within +-10% of f_j: HSS ${result.hss.shareWithin10PctOfBudget.map((x) => x.toFixed(3)).join(', ')}; uniform ${result.uniform.shareWithin10PctOfBudget.map((x) => x.toFixed(3)).join(', ')}`);
  console.log(`wrote benchmarks/results/${OUT}.json and .svg in ${result.wallSeconds.toFixed(1)} s`);
}

main();
