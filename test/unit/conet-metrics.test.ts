// CONet metrics (src/methods/conet/science/metrics): rank R (Eq. 1), condition κ (Eq. 2), average rank
// R̄ = (R3 + R4)/2 and rank slope S (Eq. 3) on kernels whose input and output ranks are known; depthwise layers
// are not measured (Sec. 3.1).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EvbmfResult } from '../../src/methods/conet/science/evbmf';
import { combineModes, isMeasured, layerMetrics, modeMetrics, rankSlope } from '../../src/methods/conet/science/metrics';
import { KernelShape } from '../../src/methods/conet/science/unfold';
import { Rng } from '../../src/common/rng';

function gaussian(rng: Rng): number {
  const u = Math.max(rng.next(), 1e-300);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** A [kh, kw, cin, cout] kernel G ×3 U3 ×4 U4 + noise: input-mode rank r3, output-mode rank r4. */
function tuckerKernel(shape: KernelShape, r3: number, r4: number, noise: number, seed: number): Float64Array {
  const rng = Rng.fromSeed(seed);
  const [n1, n2, n3, n4] = shape;
  const g = Float64Array.from({ length: n1 * n2 * r3 * r4 }, () => gaussian(rng));
  const u3 = Float64Array.from({ length: n3 * r3 }, () => gaussian(rng));
  const u4 = Float64Array.from({ length: n4 * r4 }, () => gaussian(rng));
  const w = new Float64Array(n1 * n2 * n3 * n4);
  for (let s = 0; s < n1 * n2; s++) {
    for (let i3 = 0; i3 < n3; i3++) {
      for (let i4 = 0; i4 < n4; i4++) {
        let x = 0;
        for (let a = 0; a < r3; a++) for (let b = 0; b < r4; b++) x += g[(s * r3 + a) * r4 + b] * u3[i3 * r3 + a] * u4[i4 * r4 + b];
        w[(s * n3 + i3) * n4 + i4] = x + noise * gaussian(rng);
      }
    }
  }
  return w;
}

const fakeEvbmf = (lowRankValues: number[]): EvbmfResult => ({
  L: 12, M: 40, singularValues: [], rank: lowRankValues.length, lowRankValues, sigma2: 0.1, threshold: 1, tauBar: 1,
});

describe('CONet rank and condition (Eq. 1, Eq. 2)', () => {
  test('R = N\'/N_d and kappa = sigma_1 / sigma_N\' of the low-rank part; kappa undefined at rank 0', () => {
    const m = modeMetrics(fakeEvbmf([10, 5, 2]), 12);
    assert.equal(m.lowRank, 3);
    assert.equal(m.rank, 3 / 12);
    assert.equal(m.condition, 5);
    assert.equal(modeMetrics(fakeEvbmf([]), 12).condition, null);
  });

  test('R-bar is the mean of R3 and R4; kappa-bar the mean of the defined conditions', () => {
    const a = modeMetrics(fakeEvbmf([8, 4]), 8);
    const b = modeMetrics(fakeEvbmf([9, 3, 1]), 12);
    const c = combineModes(a, b);
    assert.equal(c.rBar, (2 / 8 + 3 / 12) / 2);
    assert.equal(c.kappaBar, (2 + 9) / 2);
    assert.equal(combineModes(a, modeMetrics(fakeEvbmf([]), 12)).kappaBar, 2);
    assert.equal(combineModes(modeMetrics(fakeEvbmf([]), 8), modeMetrics(fakeEvbmf([]), 12)).kappaBar, null);
  });

  test('a 3x3x16x32 kernel with input rank 6 and output rank 8: R3 = 6/16, R4 = 8/32', () => {
    const shape: KernelShape = [3, 3, 16, 32];
    const m = layerMetrics(tuckerKernel(shape, 6, 8, 0.01, 1), shape);
    assert.equal(m.r3.lowRank, 6);
    assert.equal(m.r4.lowRank, 8);
    assert.equal(m.r3.rank, 6 / 16);
    assert.equal(m.r4.rank, 8 / 32);
    assert.equal(m.rBar, (6 / 16 + 8 / 32) / 2);
    assert.ok(m.r3.condition !== null && m.r3.condition > 1);
  });

  test('a 1x1 kernel (pointwise) with cin > cout: R3 = N3\'/N3 with N3\' <= cout', () => {
    const shape: KernelShape = [1, 1, 32, 8];
    const m = layerMetrics(tuckerKernel(shape, 3, 3, 1e-3, 2), shape);
    assert.equal(m.r3.lowRank, 3);
    assert.equal(m.r3.rank, 3 / 32);
    assert.equal(m.r4.rank, 3 / 8);
  });

  test('depthwise layers are non-conv edges, never measured (Sec. 3.1)', () => {
    assert.equal(isMeasured('depthwise'), false);
    assert.equal(isMeasured('pointwise'), true);
    assert.equal(isMeasured('conv'), true);
  });
});

describe('CONet rank slope (Eq. 3)', () => {
  const series = [0.1, 0.2, 0.35, 0.4, 0.41, 0.41].map((rBar, i) => ({ epoch: i + 1, rBar }));

  test('default: from the first to the last epoch of the trial', () => {
    assert.ok(Math.abs(rankSlope(series) - (0.41 - 0.1) / 5) < 1e-12);
    // order of the points does not matter
    assert.ok(Math.abs(rankSlope([...series].reverse()) - (0.41 - 0.1) / 5) < 1e-12);
  });

  test('plateau option: t2 is the first epoch within tolerance of the maximum', () => {
    assert.ok(Math.abs(rankSlope(series, { kind: 'plateau', tolerance: 0.02 }) - (0.4 - 0.1) / 3) < 1e-12);
    assert.ok(Math.abs(rankSlope(series, { kind: 'plateau', tolerance: 0 }) - (0.41 - 0.1) / 4) < 1e-12);
  });

  test('a falling rank gives a negative slope; one epoch is refused', () => {
    assert.ok(rankSlope([{ epoch: 0, rBar: 0.5 }, { epoch: 2, rBar: 0.3 }]) < 0);
    assert.throws(() => rankSlope([{ epoch: 0, rBar: 0.5 }]), RangeError);
  });
});
