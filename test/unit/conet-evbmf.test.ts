// CONet low-rank factorisation (src/methods/conet/science): kernel unfolding in TensorFlow.js layout (Sec. 2.1) and
// EVBMF (Nakajima et al. 2013) on synthetic low-rank + Gaussian-noise matrices whose rank, signal singular values
// and noise variance are known; shapes from a 1x1 kernel to an unfolded 3x3x256x256 kernel.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Matrix, QrDecomposition } from 'ml-matrix';
import { evbFreeEnergy, evbmf, evbmfFromSpectrum, sigma2Bounds, singularValues, tauBarExact } from '../../src/methods/conet/science/evbmf';
import { DenseMatrix, KernelShape, foldKernel, unfoldKernel } from '../../src/methods/conet/science/unfold';
import { Rng } from '../../src/common/rng';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

function gaussian(rng: Rng): number {
  const u = Math.max(rng.next(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** n×k matrix with orthonormal columns (QR of a Gaussian matrix). */
function orthonormal(n: number, k: number, rng: Rng): Matrix {
  const g = new Matrix(n, k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) g.set(i, j, gaussian(rng));
  return new QrDecomposition(g).orthogonalMatrix.subMatrix(0, n - 1, 0, k - 1);
}

/** rows×cols matrix U diag(s) Vᵀ + N(0, sigma²) with known signal singular values s. */
function lowRankPlusNoise(rows: number, cols: number, s: readonly number[], sigma: number, seed: number): DenseMatrix {
  const rng = Rng.fromSeed(seed);
  const data = new Float64Array(rows * cols);
  if (s.length > 0) {
    const u = orthonormal(rows, s.length, rng);
    const v = orthonormal(cols, s.length, rng);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        let x = 0;
        for (let h = 0; h < s.length; h++) x += u.get(i, h) * s[h] * v.get(j, h);
        data[i * cols + j] = x;
      }
    }
  }
  for (let k = 0; k < data.length; k++) data[k] += sigma * gaussian(rng);
  return { rows, cols, data };
}

describe('kernel unfolding (TensorFlow.js layout [kh, kw, cin, cout])', () => {
  const shape: KernelShape = [2, 3, 4, 5];
  const kernel = Float64Array.from({ length: 2 * 3 * 4 * 5 }, (_, k) => k);
  const at = (i1: number, i2: number, i3: number, i4: number): number => ((i1 * 3 + i2) * 4 + i3) * 5 + i4;

  test('d = 4 rows are output channels, d = 3 rows are input channels', () => {
    const w4 = unfoldKernel(kernel, shape, 4);
    assert.deepEqual([w4.rows, w4.cols], [5, 2 * 3 * 4]);
    const w3 = unfoldKernel(kernel, shape, 3);
    assert.deepEqual([w3.rows, w3.cols], [4, 2 * 3 * 5]);
    // every entry of output row i4 is an element W[., ., ., i4]
    for (let i4 = 0; i4 < 5; i4++) {
      const row = Array.from(w4.data.subarray(i4 * w4.cols, (i4 + 1) * w4.cols));
      assert.ok(row.every((v) => v % 5 === i4), `row ${i4} of W4`);
      assert.equal(row[0], at(0, 0, 0, i4));
    }
    for (let i3 = 0; i3 < 4; i3++) {
      const row = Array.from(w3.data.subarray(i3 * w3.cols, (i3 + 1) * w3.cols));
      assert.ok(row.every((v) => Math.floor(v / 5) % 4 === i3), `row ${i3} of W3`);
      assert.equal(row[row.length - 1], at(1, 2, i3, 4));
    }
  });

  test('fold inverts unfold in both modes; a wrong kernel size is refused', () => {
    for (const d of [3, 4] as const) assert.deepEqual(foldKernel(unfoldKernel(kernel, shape, d), shape, d), kernel);
    assert.throws(() => unfoldKernel(kernel, [2, 3, 4, 4], 4), RangeError);
  });
});

describe('EVBMF (Nakajima et al. 2013)', () => {
  test('tau-bar is the zero of Xi; 2.5129 at alpha = 1, below 2.5129 sqrt(alpha) elsewhere', () => {
    assert.ok(Math.abs(tauBarExact(1) - 2.5129) < 1e-3, `${tauBarExact(1)}`);
    for (const alpha of [0.01, 0.1, 0.5, 1]) {
      const t = tauBarExact(alpha);
      const phi = (z: number): number => Math.log1p(z) / z - 0.5;
      assert.ok(Math.abs(phi(t) + phi(t / alpha)) < 1e-9, `Xi(tau) = 0 at alpha ${alpha}`);
    }
    assert.ok(rel(tauBarExact(0.1), 2.5129 * Math.sqrt(0.1)) < 0.1, 'approximation is close');
  });

  test('EVB threshold at alpha = 1 is sigma sqrt(M (1 + tau)(1 + 1/tau)) = 2.2160 sigma sqrt(M)', () => {
    // known sigma2 = 1, L = M = 100: threshold 22.160; a value just above it is kept, one just below dropped
    const r = evbmfFromSpectrum([22.3, 22.0, 5, ...Array.from({ length: 97 }, () => 1)], 100, 100, { sigma2: 1 });
    assert.ok(Math.abs(r.threshold - 22.160) < 0.01, `threshold ${r.threshold}`);
    assert.equal(r.rank, 1);
    // the kept value is the EVB estimate (c) at gamma = 22.3
    const q = 1 - 200 / 22.3 ** 2;
    const expected = (22.3 / 2) * (q + Math.sqrt(q * q - (4 * 100 * 100) / 22.3 ** 4));
    assert.ok(Math.abs(r.lowRankValues[0] - expected) < 1e-9);
  });

  test('pure noise: rank 0 and the noise variance is recovered', () => {
    const m = lowRankPlusNoise(100, 300, [], 0.1, 1);
    const r = evbmf(m);
    assert.equal(r.rank, 0);
    assert.ok(rel(r.sigma2, 0.01) < 0.03, `sigma2 ${r.sigma2}`);
  });

  test('low rank + noise: rank, shrunk singular values and sigma2 are recovered (64 x 576)', () => {
    const sigma = 0.05;
    const L = 64;
    const M = 576;
    const scale = sigma * Math.sqrt(M);
    const s = [8, 6, 5, 4, 3.5].map((k) => k * scale);
    const m = lowRankPlusNoise(L, M, s, sigma, 2);
    const r = evbmf(m);
    assert.equal(r.rank, s.length);
    assert.ok(rel(r.sigma2, sigma * sigma) < 0.05, `sigma2 ${r.sigma2}`);
    let errObserved = 0;
    let errEvb = 0;
    for (let h = 0; h < s.length; h++) {
      // the observed value is inflated by the noise; the EVB estimate shrinks it back close to the signal
      assert.ok(r.singularValues[h] > s[h], `observed ${h} is inflated`);
      assert.ok(r.lowRankValues[h] < r.singularValues[h], `shrunk ${h}`);
      assert.ok(rel(r.lowRankValues[h], s[h]) < (h < 3 ? 0.03 : 0.06), `gamma-hat ${h}: ${r.lowRankValues[h]} vs ${s[h]}`);
      errObserved += (r.singularValues[h] - s[h]) ** 2;
      errEvb += (r.lowRankValues[h] - s[h]) ** 2;
    }
    assert.ok(errEvb < 0.9 * errObserved, `shrinkage helps: ${errEvb} vs ${errObserved}`);
    // the transposed matrix gives the same answer
    const t: DenseMatrix = { rows: M, cols: L, data: Float64Array.from({ length: L * M }, (_, k) => m.data[(k % L) * M + Math.floor(k / L)]) };
    const rt = evbmf(t);
    assert.equal(rt.rank, r.rank);
    assert.ok(rel(rt.sigma2, r.sigma2) < 1e-9);
  });

  test('a component just below the EVB threshold is dropped, one above it kept', () => {
    const sigma = 0.1;
    const L = 50;
    const M = 200;
    const scale = sigma * Math.sqrt(M);
    // signal at 0.3 * scale is invisible under the noise bulk; 6 * scale is clear
    const r = evbmf(lowRankPlusNoise(L, M, [6 * scale, 0.3 * scale], sigma, 3));
    assert.equal(r.rank, 1);
    assert.ok(r.singularValues[1] < r.threshold && r.singularValues[0] >= r.threshold);
  });

  test('sigma2 minimises the free energy within its bounds', () => {
    const m = lowRankPlusNoise(40, 90, [3, 2, 1.5], 0.05, 4);
    const gam = singularValues(m);
    const r = evbmfFromSpectrum(gam, 40, 90);
    const xBar = (1 + r.tauBar) * (1 + (40 / 90) / r.tauBar);
    const [lo, hi] = sigma2Bounds(gam, 40, 90, xBar);
    assert.ok(r.sigma2 >= lo && r.sigma2 <= hi);
    const f = evbFreeEnergy(r.sigma2, gam, 40, 90, xBar);
    for (let i = 0; i <= 200; i++) {
      const s2 = lo * Math.pow(hi / lo, i / 200);
      assert.ok(f <= evbFreeEnergy(s2, gam, 40, 90, xBar) + 1e-9, `Omega(${s2}) < Omega(sigma2-hat)`);
    }
    // a given sigma2 is used as is
    assert.equal(evbmfFromSpectrum(gam, 40, 90, { sigma2: 0.01 }).sigma2, 0.01);
  });

  test('kernel shapes from 1x1 to 3x3x256x256, both unfoldings', () => {
    const cases: { shape: KernelShape; d: 3 | 4; rank: number }[] = [
      { shape: [1, 1, 16, 32], d: 4, rank: 3 },
      { shape: [1, 1, 16, 32], d: 3, rank: 2 },
      { shape: [3, 3, 16, 16], d: 3, rank: 4 },
      { shape: [3, 3, 64, 32], d: 4, rank: 6 },
      { shape: [3, 3, 256, 256], d: 4, rank: 12 },
    ];
    for (const [i, c] of cases.entries()) {
      const [n1, n2, n3, n4] = c.shape;
      const rows = c.d === 4 ? n4 : n3;
      const cols = (n1 * n2 * n3 * n4) / rows;
      const sigma = 0.02;
      const scale = sigma * Math.sqrt(Math.max(rows, cols));
      const s = Array.from({ length: c.rank }, (_, h) => (10 - (5 * h) / c.rank) * scale);
      const w = lowRankPlusNoise(rows, cols, s, sigma, 10 + i);
      const kernel = foldKernel(w, c.shape, c.d);
      const spectrum = n3 === 256 ? 'gram' : 'svd';
      const r = evbmf(unfoldKernel(kernel, c.shape, c.d), { spectrum });
      assert.equal(r.rank, c.rank, `rank of [${c.shape.join(',')}] d=${c.d}`);
      assert.ok(rel(r.sigma2, sigma * sigma) < 0.1, `sigma2 of [${c.shape.join(',')}] d=${c.d}: ${r.sigma2}`);
      assert.ok(rel(r.lowRankValues[0], s[0]) < 0.03);
    }
  });

  test('degenerate inputs: a zero matrix and a single row have rank 0; non-finite values are refused', () => {
    const zero = evbmf({ rows: 4, cols: 9, data: new Float64Array(36) });
    assert.deepEqual([zero.rank, zero.sigma2], [0, 0]);
    const row = evbmf(lowRankPlusNoise(1, 72, [5], 0.01, 8));
    assert.equal(row.rank, 0, 'one channel: signal and noise cannot be told apart');
    const bad = lowRankPlusNoise(3, 9, [], 1, 9);
    bad.data[4] = NaN;
    assert.throws(() => evbmf(bad), RangeError);
  });

  test('the Gram spectrum agrees with the SVD spectrum', () => {
    const m = lowRankPlusNoise(48, 432, [5, 4, 3], 0.05, 7);
    const a = singularValues(m, 'svd');
    const b = singularValues(m, 'gram');
    for (let h = 0; h < a.length; h++) assert.ok(Math.abs(a[h] - b[h]) < 1e-9 * a[0], `value ${h}`);
    assert.equal(evbmf(m, { spectrum: 'gram' }).rank, evbmf(m).rank);
  });
});
