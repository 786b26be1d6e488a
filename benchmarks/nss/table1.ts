/**
 * NSS Table 1 analogue on the `small` preset (d_max 4 in ranges of 2, w_max 32 in ranges of 8; 32x32x3 inputs, 10
 * classes), by exact enumeration, for three FLOPs targets:
 *  - Expanded Search Space: the exact fraction p of its 2,097,152 networks within +-10 % of the target, the
 *    expected number of uniform samples to meet the criterion (1/p, the paper's "#samples" of the baseline, which
 *    keeps sampling until the criterion is met) and the expected |FLOPs/target - 1| of the network found that way
 *    (mean over the networks within +-10 %);
 *  - Elite Space: chosen from P_Theta after a Theta search driven by the FLOPs term of Eq. 5 ALONE (lambda = 1, no
 *    L_task: this benchmark trains no supernet, so no accuracy enters and no error column is reported); the paper's
 *    procedure draws 5 architectures from it and keeps the closest: the exact expected deviation of that choice, the
 *    exact chance that one of the 5 is within +-10 %, and 1/p for comparison.
 * Writes benchmarks/results/nss-table1.json and nss-table1.svg (FLOPs vs params of sampled architectures: the
 * error axis of the paper's Fig. 3 needs supernet accuracies, which this benchmark does not have).
 * Usage: node dist/benchmarks/nss/table1.js [--paper]   (--paper adds the paper preset's whole-space p, slow)
 */
import { RunProvenance } from '../common/provenance';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Rng } from '../../src/common/rng';
import {
  DARTS_THETA_ADAM,
  ExpandedSearchSpace,
  FlopsRelaxation,
  NetworkSpace,
  RelaxedFlops,
  SpaceFlops,
  adamStep,
  archFlops,
  expandedSearchSpace,
  flopsLossGradient,
  formatSpace,
  hardOneHots,
  initialAdamState,
  initialTheta,
  networkCost,
  sampleArch,
  sampleSpaceRelaxed,
  samplesToMeet,
  selectEliteSpace,
  softWeights,
  temperature,
  thetaGradient,
  thetaProbabilities,
  wholeSpace,
} from '../../src/methods/nss/science';

const TARGETS = [5e6, 12e6, 30e6];
const THETA_STEPS = 600;
const THETA_LR = 0.05;
const SEED = 1;

/** Every network's FLOPs of a space, by the per-stage decomposition. */
function allFlops(s: ExpandedSearchSpace, space: NetworkSpace): Float64Array {
  const r = (x: [number, number]): number[] => Array.from({ length: x[1] - x[0] + 1 }, (_, k) => x[0] + k);
  const out: number[] = [];
  for (const d1 of r(space.depths[0])) for (const d2 of r(space.depths[1])) for (const d3 of r(space.depths[2]))
    for (const w1 of r(space.widths[0])) for (const w2 of r(space.widths[1])) for (const w3 of r(space.widths[2])) out.push(archFlops(s, { depths: [d1, d2, d3], widths: [w1, w2, w3] }));
  return Float64Array.from(out);
}

/** Exact E[min over k uniform draws (with replacement) of |F/T - 1|]. */
function expectedMinDeviation(flops: Float64Array, target: number, k: number): number {
  const dev = Float64Array.from(flops, (f) => Math.abs(f / target - 1)).sort();
  const n = dev.length;
  let e = 0;
  for (let j = 0; j < n; j++) e += dev[j] * (((n - j) / n) ** k - ((n - j - 1) / n) ** k);
  return e;
}

function meanDeviationWithin(flops: Float64Array, target: number): number {
  let s = 0;
  let c = 0;
  for (const f of flops) {
    const d = Math.abs(f / target - 1);
    if (d <= 0.1) {
      s += d;
      c++;
    }
  }
  return c ? s / c : NaN;
}

/** Theta search on the FLOPs term of Eq. 5 only (Gumbel-softmax, Adam), FLOPs at y_soft or straight-through. */
function flopsOnlyTheta(s: ExpandedSearchSpace, target: number, relaxation: FlopsRelaxation): ReturnType<typeof initialTheta> {
  const rf = new RelaxedFlops(s);
  const theta = initialTheta(s);
  const st = initialAdamState(theta);
  const rng = Rng.fromSeed(SEED);
  for (let k = 0; k < THETA_STEPS; k++) {
    const sample = sampleSpaceRelaxed(theta, temperature(k, THETA_STEPS), rng);
    const y = relaxation === 'soft' ? softWeights(sample) : hardOneHots(sample);
    adamStep(theta, thetaGradient(sample, flopsLossGradient(rf, y, target, 1)), st, { ...DARTS_THETA_ADAM, lr: THETA_LR });
  }
  return theta;
}

const round = (x: number, d = 4): number => (Number.isFinite(x) ? Number(x.toFixed(d)) : x);

function main(): void {
  const t0 = Date.now();
  const s = expandedSearchSpace('small', [32, 32, 3], 10);
  const whole = wholeSpace(s);
  const wholeStats = new SpaceFlops(s, whole);
  const wholeFlops = allFlops(s, whole);
  const rows = [];
  const scatter: Array<{ label: string; points: Array<[number, number]> }> = [];
  const rng = Rng.fromSeed(SEED + 1);
  scatter.push({ label: 'Expanded Search Space', points: Array.from({ length: 400 }, () => sampleArch(whole, rng)).map((a) => { const c = networkCost(s, a); return [c.flops, c.params] as [number, number]; }) });
  for (const target of TARGETS) {
    const theta = flopsOnlyTheta(s, target, 'soft');
    const sel = selectEliteSpace(s, theta, target, 5, Rng.fromSeed(SEED + 2));
    const st = selectEliteSpace(s, flopsOnlyTheta(s, target, 'straight-through'), target, 5, Rng.fromSeed(SEED + 2)).elite;
    const eliteStats = new SpaceFlops(s, sel.elite.space);
    const eliteFlops = allFlops(s, sel.elite.space);
    const e = samplesToMeet(s, eliteStats, target);
    const w = samplesToMeet(s, wholeStats, target);
    rows.push({
      target,
      eliteSpace: {
        space: formatSpace(sel.elite.space),
        choice: sel.elite.choice,
        flops: { ...eliteStats.summary(), histogram: eliteStats.histogram(20) },
        meanFlopsDeviation: round(sel.elite.deviation),
        pWithin10: round(e.p, 6),
        expectedSamplesUniform: round(e.expectedSamples, 2),
        hitWithin5Samples: round(e.hitWithin5),
        samplesOfPaperProcedure: 5,
        expectedDeviationBestOf5: round(expectedMinDeviation(eliteFlops, target, 5)),
        candidates: sel.candidates.map((c) => ({ space: formatSpace(c.space), meanFlops: c.meanFlops, deviation: round(c.deviation) })),
        probabilities: thetaProbabilities(theta),
      },
      eliteSpaceStraightThroughFlops: { space: formatSpace(st.space), meanFlops: st.meanFlops, meanFlopsDeviation: round(st.deviation) },
      expandedSearchSpace: {
        archs: w.archs,
        within10: w.within,
        pWithin10: round(w.p, 6),
        expectedSamplesUntilWithin10: round(w.expectedSamples, 2),
        expectedDeviationOfFirstHit: round(meanDeviationWithin(wholeFlops, target)),
        expectedDeviationBestOf5: round(expectedMinDeviation(wholeFlops, target, 5)),
      },
    });
    const r2 = Rng.fromSeed(SEED + 3);
    scatter.push({ label: `Elite Space @ ${target / 1e6} MF`, points: Array.from({ length: 400 }, () => sampleArch(sel.elite.space, r2)).map((a) => { const c = networkCost(s, a); return [c.flops, c.params] as [number, number]; }) });
  }
  let paper: Record<string, unknown> | null = null;
  if (process.argv.includes('--paper')) {
    const ps = expandedSearchSpace('paper', [32, 32, 3], 10);
    const pw = new SpaceFlops(ps, wholeSpace(ps));
    paper = { note: 'paper preset, 32x32x3, 10 classes: whole Expanded Search Space (5.5e11 networks), exact counts', summary: pw.summary(), targets: [600e6, 1.6e9, 4e9].map((t) => ({ target: t, ...samplesToMeet(ps, pw, t) })) };
  }
  const seconds = (Date.now() - t0) / 1000;
  const out = {
    benchmark: 'NSS Table 1 analogue (exact enumeration)',
    preset: { name: 'small', dMax: s.dMax, wMax: s.wMax, depthsPerSpace: s.depthsPerSpace, widthsPerSpace: s.widthsPerSpace, inputShape: s.inputShape, numClasses: s.numClasses },
    flopsConvention: 'multiply-adds of convs and FC; BN, ReLU, additions and pooling not counted',
    eliteSpaceSource: `Theta searched on lambda*L_FLOPs alone (Eq. 4-5 without L_task; no supernet trained), ${THETA_STEPS} Gumbel-softmax steps, FLOPs at the relaxed weights (default 'soft' reading), tau 5 -> 0.001, Adam lr ${THETA_LR}; Elite Space = closest of n = 5 spaces sampled from P_Theta. eliteSpaceStraightThroughFlops: the same with the 'straight-through' reading`,
    caveats: 'no error column: accuracies need a trained supernet; #samples for the Expanded Search Space is the expectation 1/p of uniform sampling, not of a NAS method (the paper used FBNetV2 there)',
    paperReference: 'Table 1 (CIFAR-10): Elite Space 5 samples, mean deviation 2.1 %; Expanded Search Space 43.2 samples on average, 5.5 %',
    wholeSpace: wholeStats.summary(),
    rows,
    paperPreset: paper,
    seconds,
  };
  const dir = path.join(__dirname, '..', '..', '..', 'benchmarks', 'results');
  fs.mkdirSync(dir, { recursive: true });
  new RunProvenance('dist/benchmarks/nss/table1.js', [], { args: process.argv.slice(2) }).writeResultJson(path.join(dir, 'nss-table1.json'), out);
  fs.writeFileSync(path.join(dir, 'nss-table1.svg'), svg(scatter, TARGETS));
  console.log(`NSS Table 1 analogue, small preset (d_max ${s.dMax}, w_max ${s.wMax}; ${wholeStats.archs} networks, FLOPs ${wholeStats.min}..${wholeStats.max}); exact counts`);
  console.log('target MF | Elite Space (FLOPs-only Theta search, soft)             | mean dev | p(+-10%) | 1/p   | best-of-5 dev | ESS p(+-10%) | ESS 1/p | ESS first-hit dev | ST-reading elite mean dev');
  for (const r of rows) {
    console.log(
      `${(r.target / 1e6).toFixed(0).padStart(9)} | ${r.eliteSpace.space.padEnd(54)} | ${(100 * r.eliteSpace.meanFlopsDeviation).toFixed(1).padStart(6)} % | ${r.eliteSpace.pWithin10.toFixed(4)} | ${String(r.eliteSpace.expectedSamplesUniform).padStart(5)} | ${(100 * r.eliteSpace.expectedDeviationBestOf5).toFixed(2).padStart(11)} % | ${r.expandedSearchSpace.pWithin10.toFixed(4).padStart(12)} | ${String(r.expandedSearchSpace.expectedSamplesUntilWithin10).padStart(7)} | ${(100 * r.expandedSearchSpace.expectedDeviationOfFirstHit).toFixed(2).padStart(15)} % | ${(100 * r.eliteSpaceStraightThroughFlops.meanFlopsDeviation).toFixed(1)} %`,
    );
  }
  if (paper) console.log('paper preset:', JSON.stringify(paper));
  console.log(`wrote benchmarks/results/nss-table1.{json,svg} in ${seconds.toFixed(1)} s`);
}

const COLORS = ['#bbbbbb', '#1f77b4', '#2ca02c', '#d62728'];

function svg(series: Array<{ label: string; points: Array<[number, number]> }>, targets: number[]): string {
  const W = 760;
  const H = 480;
  const L = 70;
  const B = 420;
  const pw = 640;
  const ph = 360;
  const all = series.flatMap((s) => s.points);
  const lx = (v: number): number => Math.log10(v);
  const [x0, x1] = [Math.min(...all.map((p) => lx(p[0]))), Math.max(...all.map((p) => lx(p[0])))];
  const [y0, y1] = [Math.min(...all.map((p) => lx(p[1]))), Math.max(...all.map((p) => lx(p[1])))];
  const X = (v: number): number => L + ((lx(v) - x0) / (x1 - x0)) * pw;
  const Y = (v: number): number => B - ((lx(v) - y0) / (y1 - y0)) * ph;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`];
  parts.push(`<text x="${L}" y="24" font-size="14">NSS small preset: FLOPs vs params of 400 uniform samples per space (exact costs; no accuracies)</text>`);
  parts.push(`<rect x="${L}" y="${B - ph}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  targets.forEach((t, i) => {
    parts.push(`<rect x="${X(t * 0.9).toFixed(1)}" y="${B - ph}" width="${(X(t * 1.1) - X(t * 0.9)).toFixed(1)}" height="${ph}" fill="${COLORS[i + 1]}" opacity="0.12"/>`);
    parts.push(`<line x1="${X(t).toFixed(1)}" x2="${X(t).toFixed(1)}" y1="${B - ph}" y2="${B}" stroke="${COLORS[i + 1]}" stroke-dasharray="4 3"/>`);
  });
  series.forEach((s, i) => {
    for (const [f, p] of s.points) parts.push(`<circle cx="${X(f).toFixed(1)}" cy="${Y(p).toFixed(1)}" r="2" fill="${COLORS[i % COLORS.length]}" opacity="0.7"/>`);
    parts.push(`<circle cx="${L + 10}" cy="${B - ph + 14 + 16 * i}" r="4" fill="${COLORS[i % COLORS.length]}"/><text x="${L + 20}" y="${B - ph + 18 + 16 * i}">${s.label}</text>`);
  });
  for (let e = Math.ceil(x0); e <= Math.floor(x1); e++) parts.push(`<text x="${X(10 ** e) - 12}" y="${B + 16}">1e${e}</text>`);
  for (let e = Math.ceil(y0); e <= Math.floor(y1); e++) parts.push(`<text x="${L - 36}" y="${Y(10 ** e) + 4}">1e${e}</text>`);
  parts.push(`<text x="${L + pw / 2 - 60}" y="${B + 36}">FLOPs (multiply-adds, log)</text><text x="12" y="${B - ph / 2}" transform="rotate(-90 12 ${B - ph / 2})">params (log)</text>`);
  parts.push(`<text x="${L}" y="${B + 54}" font-size="11">Shaded: +-10 % of each target. Elite Spaces from a FLOPs-only Theta search (no L_task); see nss-table1.json.</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

main();
