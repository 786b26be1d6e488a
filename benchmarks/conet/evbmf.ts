/**
 * CONet EVBMF benchmark: wall time of one layer's measurement (EVBMF of both unfoldings W3 and W4, Sec. 2.1) per
 * conv kernel shape, for both spectra (ml-matrix SVD, and eigenvalues of the smaller Gram matrix), on synthetic
 * kernels (a rank-r Tucker part plus Gaussian noise, so EVBMF has something to find). Prints a table and writes JSON.
 *
 *   node dist/benchmarks/conet/evbmf.js          (npm run bench:conet-evbmf)
 *
 * Env: BENCH_REPEATS (3, median reported; kernels with cin >= 256 are timed once), BENCH_MAX_SVD_CIN (256: larger
 *      kernels skip the SVD spectrum),
 *      BENCH_OUT (benchmarks/results/conet-evbmf.json).
 * Synthetic weights: this measures speed and checks the recovered rank, not trained networks. Wall time depends on
 * what else runs on the machine; the process CPU time (cpuMs) is reported beside it. One warm-up measurement of a
 * small kernel runs first (JIT).
 */
import * as path from 'node:path';
import { REPO_ROOT } from '../../src/config/config';
import { layerMetrics } from '../../src/methods/conet/science/metrics';
import { KernelShape } from '../../src/methods/conet/science/unfold';
import { Rng } from '../../src/common/rng';
import { RunProvenance } from '../common/provenance';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const MAX_SVD_CIN = Number(process.env.BENCH_MAX_SVD_CIN ?? 256);
const OUT = process.env.BENCH_OUT ?? path.join(REPO_ROOT, 'benchmarks', 'results', 'conet-evbmf.json');

const SHAPES: KernelShape[] = [
  [1, 1, 16, 16],
  [1, 1, 64, 256],
  [3, 3, 16, 16],
  [3, 3, 32, 32],
  [3, 3, 64, 64],
  [3, 3, 128, 128],
  [3, 3, 256, 256],
  [3, 3, 512, 512],
];

function gaussian(rng: Rng): number {
  const u = Math.max(rng.next(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** W = G ×3 U3 ×4 U4 + noise with ranks r3 = cin/4, r4 = cout/4 (at least 1). */
function kernel(shape: KernelShape, seed: number): { w: Float32Array; r3: number; r4: number } {
  const rng = Rng.fromSeed(seed);
  const [n1, n2, n3, n4] = shape;
  const r3 = Math.max(1, n3 >> 2);
  const r4 = Math.max(1, n4 >> 2);
  const s = n1 * n2;
  // core contracted with U4 first: T[s, a, i4] = Σ_b G[s, a, b] U4[i4, b]
  const g = Float64Array.from({ length: s * r3 * r4 }, () => gaussian(rng));
  const u3 = Float64Array.from({ length: n3 * r3 }, () => gaussian(rng));
  const u4 = Float64Array.from({ length: n4 * r4 }, () => gaussian(rng));
  const t = new Float64Array(s * r3 * n4);
  for (let p = 0; p < s; p++) for (let a = 0; a < r3; a++) for (let i4 = 0; i4 < n4; i4++) {
    let x = 0;
    for (let b = 0; b < r4; b++) x += g[(p * r3 + a) * r4 + b] * u4[i4 * r4 + b];
    t[(p * r3 + a) * n4 + i4] = x;
  }
  const w = new Float32Array(s * n3 * n4);
  for (let p = 0; p < s; p++) for (let i3 = 0; i3 < n3; i3++) for (let i4 = 0; i4 < n4; i4++) {
    let x = 0;
    for (let a = 0; a < r3; a++) x += u3[i3 * r3 + a] * t[(p * r3 + a) * n4 + i4];
    w[(p * n3 + i3) * n4 + i4] = x / Math.sqrt(r3 * r4) + 0.05 * gaussian(rng);
  }
  // the unfoldings' ranks: W3 = U3 G_(3) (I ⊗ U4)ᵀ has rank min(r3, n1 n2 r4), W4 likewise
  return { w, r3: Math.min(r3, s * r4), r4: Math.min(r4, s * r3) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

interface Row {
  shape: KernelShape;
  unfolded: { w3: [number, number]; w4: [number, number] };
  spectrum: 'svd' | 'gram';
  msMedian: number;
  msAll: number[];
  /** user + system CPU time of this process, median */
  cpuMsMedian: number;
  trueRank: { r3: number; r4: number };
  recovered: { r3: number; r4: number };
}

function main(): void {
  const rows: Row[] = [];
  const warm = kernel([3, 3, 32, 32], 1);
  for (const spectrum of ['svd', 'gram'] as const) layerMetrics(warm.w, [3, 3, 32, 32], { spectrum });
  for (const [i, shape] of SHAPES.entries()) {
    const [n1, n2, n3, n4] = shape;
    const { w, r3, r4 } = kernel(shape, 100 + i);
    for (const spectrum of ['svd', 'gram'] as const) {
      if (spectrum === 'svd' && n3 > MAX_SVD_CIN) continue;
      const ms: number[] = [];
      const cpu: number[] = [];
      let rec = { r3: -1, r4: -1 };
      for (let k = 0; k < (n3 >= 256 ? 1 : REPEATS); k++) {
        const c0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        const m = layerMetrics(w, shape, { spectrum });
        ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
        rec = { r3: m.r3.lowRank, r4: m.r4.lowRank };
      }
      const row: Row = {
        shape,
        unfolded: { w3: [n3, n1 * n2 * n4], w4: [n4, n1 * n2 * n3] },
        spectrum,
        msMedian: median(ms),
        msAll: ms,
        cpuMsMedian: median(cpu),
        trueRank: { r3, r4 },
        recovered: rec,
      };
      rows.push(row);
      process.stdout.write(
        `${shape.join('x').padEnd(14)} ${spectrum.padEnd(5)} ${row.msMedian.toFixed(1).padStart(9)} ms/layer (W3+W4), cpu ${row.cpuMsMedian.toFixed(1).padStart(9)} ms   rank r3 ${rec.r3}/${r3} r4 ${rec.r4}/${r4}\n`,
      );
    }
  }
  new RunProvenance('dist/benchmarks/conet/evbmf.js', ['BENCH_REPEATS', 'BENCH_MAX_SVD_CIN', 'BENCH_OUT'], { repeats: REPEATS, maxSvdCin: MAX_SVD_CIN, shapes: SHAPES }).writeResultJson(OUT, {
    benchmark: 'conet-evbmf',
    what: 'wall time of EVBMF on both unfoldings (W3, W4) of one conv kernel (tfjs layout [kh, kw, cin, cout]); synthetic Tucker-rank kernels + noise',
    repeats: REPEATS,
    rows,
  });
  process.stdout.write(`wrote ${path.relative(REPO_ROOT, OUT)}\n`);
}

main();
