// Larger-scale generalisation (Eq. 9, 23, 26 with Eq. 27's a0 > 0): exact synthetic data are recovered and
// extended; the constraint is enforced at its boundary; too few searched stages is a 4xx naming the field.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidInputError } from '../../src/common/errors';
import { fitDimension, generalise, predict } from '../../src/methods/scalenet/science/generalise';

const close = (a: number, b: number, msg: string, tol = 1e-7): void => assert.ok(Math.abs(a - b) <= tol, `${msg}: ${a} vs ${b}`);
const exp9 = (a0: number, a1: number) => (j: number) => a0 * (a1 ** j - 1) + 1;

describe('ScaleNet generalisation (Eq. 9, 23, 26, 27)', () => {
  test('Eq. 9 recovers a0, a1 per dimension from exact S_1..S_3 and extends to S_4, S_5', () => {
    const fd = exp9(0.5, 1.3);
    const fw = exp9(0.12, 1.9);
    const fr = exp9(2.0, 1.1);
    const searched = [0, 1, 2, 3].map((j) => ({ d: fd(j), w: fw(j), r: fr(j) }));
    const g = generalise(searched, 'exponential', 5);
    close(g.fits.d.a0, 0.5, 'd a0');
    close(g.fits.d.a1, 1.3, 'd a1');
    close(g.fits.w.a0, 0.12, 'w a0');
    close(g.fits.w.a1, 1.9, 'w a1');
    close(g.fits.r.a0, 2.0, 'r a0', 1e-6);
    close(g.fits.r.a1, 1.1, 'r a1');
    assert.ok(g.fits.d.sse < 1e-18);
    assert.equal(g.strategies.length, 6);
    assert.deepEqual(g.generalised, [false, false, false, false, true, true]);
    assert.deepEqual(g.strategies.slice(0, 4), searched);
    close(g.strategies[4].d, fd(4), 'S4 d');
    close(g.strategies[5].w, fw(5), 'S5 w', 1e-6);
    close(g.strategies[5].r, fr(5), 'S5 r', 1e-6);
  });

  test('Eq. 23 and Eq. 26 recover exact linear / quadratic data; residuals are y - f(j)', () => {
    const lin = fitDimension('linear', [1.2, 1.4, 1.6, 1.8]);
    close(lin.a0, 0.2, 'linear a0', 1e-12);
    assert.ok(lin.sse < 1e-24);
    const quad = fitDimension('quadratic', [1, 2, 3].map((j) => 0.03 * j * j + 0.1 * j + 1));
    close(quad.a0, 0.03, 'quad a0', 1e-12);
    close(quad.a1, 0.1, 'quad a1', 1e-12);
    close(predict(quad, 5), 0.03 * 25 + 0.5 + 1, 'quad j=5', 1e-12);
    // noisy data: residuals and sse are the least-squares ones
    const ys = [1.08, 1.36, 1.48];
    const l = fitDimension('linear', ys);
    const a0 = (1 * 0.08 + 2 * 0.36 + 3 * 0.48) / 14;
    close(l.a0, a0, 'linear LS', 1e-12);
    l.residuals.forEach((r, i) => close(r, ys[i] - (a0 * (i + 1) + 1), `residual ${i}`, 1e-12));
    close(l.sse, l.residuals.reduce((s, r) => s + r * r, 0), 'sse', 1e-15);
  });

  test('Eq. 27: a0 > 0 is enforced; an active constraint sits at the boundary a0 = 0', () => {
    const down = fitDimension('linear', [0.9, 0.8]);
    assert.equal(down.a0, 0);
    assert.ok(down.atBoundary);
    // concave data: the unconstrained quadratic has a0 < 0; constrained: a0 = 0 and the best linear term
    const concave = [1.5, 1.8, 1.9];
    const q = fitDimension('quadratic', concave);
    assert.ok(q.atBoundary);
    assert.equal(q.a0, 0);
    close(q.a1, (0.5 + 2 * 0.8 + 3 * 0.9) / 14, 'boundary a1', 1e-12);
    const flat = fitDimension('exponential', [1, 1, 1]);
    assert.ok(flat.atBoundary);
    assert.equal(flat.a0, 0);
    assert.equal(predict(flat, 4), 1);
    // Eq. 27 constrains a0 only: decreasing data are fitted with a0 > 0 and a base a1 < 1 (exact here)
    const e = fitDimension('exponential', [1, 2].map(exp9(0.4, 0.8)));
    close(e.a0, 0.4, 'decreasing a0');
    close(e.a1, 0.8, 'decreasing a1');
    assert.ok(!e.atBoundary);
    // accelerating decline is exact for a0 = -0.01, a1 = 2, which Eq. 27 forbids: the constrained fit keeps a0 >= 0
    const accel = fitDimension('exponential', [0.99, 0.97, 0.93]);
    assert.ok(accel.a0 >= 0, `a0 ${accel.a0}`);
    assert.ok(accel.sse > 1e-6, `sse ${accel.sse}`);
    // ... and is the best such fit: a0 > 0 with a1 < 1 beats the flat boundary fit (sse 0.0059)
    assert.ok(!accel.atBoundary && accel.a1 < 1 && accel.sse < 0.0059 * 0.5, `a1 ${accel.a1} sse ${accel.sse}`);
    // an exponential fit never returns a negative a0
    for (const ys of [[1.3, 1.2, 1.25], [1.1, 1.0, 1.4], [1.04, 1.2, 1.4]]) assert.ok(fitDimension('exponential', ys).a0 >= 0);
  });

  test('too few searched stages or a bad S_0 is a 4xx naming the field', () => {
    assert.throws(() => fitDimension('exponential', [1.1]), (e: unknown) => e instanceof InvalidInputError && e.violations[0].field === 'strategies');
    assert.throws(() => fitDimension('quadratic', [1.1]), InvalidInputError);
    fitDimension('linear', [1.1]);
    assert.throws(() => generalise([{ d: 1.1, w: 1, r: 1 }, { d: 1.2, w: 1.2, r: 1.2 }], 'linear'), (e: unknown) => e instanceof InvalidInputError && e.violations[0].field === 'strategies[0]');
  });
});
