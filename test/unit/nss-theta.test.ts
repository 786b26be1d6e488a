// NSS space search science: temperature schedule, Gumbel-softmax sampling, straight-through backward, the relaxed
// FLOPs (Eq. 4-5 reading: mean FLOPs of the sampled space, multilinear in the one-hots), Adam on Theta, Theta
// descending the FLOPs loss, target check and Elite Space selection.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidInputError } from '../../src/common/errors';
import { Rng } from '../../src/common/rng';
import {
  DARTS_THETA_ADAM,
  ExpandedSearchSpace,
  RelaxedFlops,
  SpaceFlops,
  Theta,
  adamStep,
  checkFlopsTarget,
  choiceOf,
  expandedSearchSpace,
  flopsLoss,
  flopsLossGradient,
  gumbelSoftmax,
  hardOneHots,
  initialAdamState,
  initialTheta,
  oneHot,
  sampleSpaceRelaxed,
  selectEliteSpace,
  softWeights,
  softmax,
  softmaxBackward,
  spaceOf,
  temperature,
  thetaGradient,
  thetaProbabilities,
  totalLoss,
  wholeSpace,
} from '../../src/methods/nss/science';

const TINY: ExpandedSearchSpace = { name: 'custom', dMax: 4, wMax: 6, depthsPerSpace: 2, widthsPerSpace: 3, inputShape: [7, 7, 3], numClasses: 5, stemWidth: 16 };
const SMALL = expandedSearchSpace('small', [32, 32, 3], 10);

function randomSimplexTheta(s: ExpandedSearchSpace, rng: Rng): Theta {
  const t = initialTheta(s);
  return thetaProbabilities({ depth: t.depth.map((r) => r.map(() => rng.next() * 4)), width: t.width.map((r) => r.map(() => rng.next() * 4)) });
}

describe('NSS Theta and Gumbel-softmax', () => {
  test('temperature anneals linearly from 5 to 0.001', () => {
    assert.equal(temperature(0, 101), 5);
    assert.ok(Math.abs(temperature(100, 101) - 0.001) < 1e-12);
    assert.ok(Math.abs(temperature(50, 101) - (5 + 0.001) / 2) < 1e-12);
    assert.ok(temperature(30, 101) > temperature(31, 101));
  });

  test('hard Gumbel-softmax indices follow softmax(logits) (Gumbel-max)', () => {
    const logits = [1.5, 0, -1, 0.5];
    const p = softmax(logits);
    const rng = Rng.fromSeed(5);
    const counts = [0, 0, 0, 0];
    const n = 40000;
    for (let k = 0; k < n; k++) counts[gumbelSoftmax(logits, 0.7, rng).index]++;
    counts.forEach((c, k) => assert.ok(Math.abs(c / n - p[k]) < 0.01, `index ${k}: ${c / n} vs ${p[k]}`));
  });

  test('straight-through backward is the softmax Jacobian (1/tau) y (g - <y,g>) (finite differences)', () => {
    const logits = [0.3, -0.2, 1.1];
    const noise = [0.5, -0.4, 0.1];
    const tau = 0.8;
    const g = [2, -1, 0.5];
    const f = (l: number[]): number => softmax(l.map((x, k) => (x + noise[k]) / tau)).reduce((a, y, k) => a + y * g[k], 0);
    const soft = softmax(logits.map((x, k) => (x + noise[k]) / tau));
    const analytic = softmaxBackward(soft, tau, g);
    logits.forEach((_, k) => {
      const h = 1e-6;
      const up = logits.slice();
      const dn = logits.slice();
      up[k] += h;
      dn[k] -= h;
      assert.ok(Math.abs((f(up) - f(dn)) / (2 * h) - analytic[k]) < 1e-6, `k ${k}`);
    });
  });

  test('Adam step (torch.optim.Adam): first step moves each logit by lr against the sign of its gradient', () => {
    const t = initialTheta(TINY);
    t.depth[0][0] = 1;
    const grad: Theta = { depth: t.depth.map((r) => r.map(() => 0)), width: t.width.map((r) => r.map(() => 0)) };
    grad.depth[0][0] = 3;
    grad.width[2][1] = -0.5;
    const st = initialAdamState(t);
    const o = { ...DARTS_THETA_ADAM, lr: 0.1, weightDecay: 0 };
    adamStep(t, grad, st, o);
    assert.ok(Math.abs(t.depth[0][0] - 0.9) < 1e-6);
    assert.ok(Math.abs(t.width[2][1] - 0.1) < 1e-6);
    assert.equal(t.depth[1][0], 0);
    assert.equal(st.step, 1);
  });
});

describe('NSS relaxed FLOPs (Eq. 4-5)', () => {
  test('at a hard one-hot it is the exact mean FLOPs of the sampled space, for every space', () => {
    const rf = new RelaxedFlops(TINY);
    for (let d0 = 0; d0 < 2; d0++) for (let d1 = 0; d1 < 2; d1++) for (let d2 = 0; d2 < 2; d2++)
      for (let w0 = 0; w0 < 2; w0++) for (let w1 = 0; w1 < 2; w1++) for (let w2 = 0; w2 < 2; w2++) {
        const c = { depth: [d0, d1, d2], width: [w0, w1, w2] };
        const exact = new SpaceFlops(TINY, spaceOf(TINY, c)).mean;
        assert.ok(Math.abs(rf.value(oneHot(TINY, c)) - exact) < 1e-9 * exact, JSON.stringify(c));
      }
  });

  test('its gradient in y matches finite differences at a relaxed y (small preset)', () => {
    const rf = new RelaxedFlops(SMALL);
    const y = randomSimplexTheta(SMALL, Rng.fromSeed(2));
    const g = rf.gradient(y);
    for (const part of ['depth', 'width'] as const) {
      y[part].forEach((row, i) =>
        row.forEach((_, k) => {
          const h = 1e-3;
          const orig = row[k];
          row[k] = orig + h;
          const up = rf.value(y);
          row[k] = orig - h;
          const dn = rf.value(y);
          row[k] = orig;
          const fd = (up - dn) / (2 * h);
          assert.ok(Math.abs(fd - g[part][i][k]) <= 1e-6 * Math.abs(fd) + 1e-3, `${part}[${i}][${k}]: ${fd} vs ${g[part][i][k]}`);
        }),
      );
    }
  });

  test('Eq. 4 and Eq. 5', () => {
    assert.ok(Math.abs(flopsLoss(120, 100) - 0.2) < 1e-12);
    assert.ok(Math.abs(flopsLoss(80, 100) - 0.2) < 1e-12);
    assert.ok(Math.abs(totalLoss(1.5, 120, 100, 2) - (1.5 + 2 * 0.2)) < 1e-12);
  });

  test('straight-through gradient descent on lambda*L_FLOPs moves P_Theta to spaces near the target', () => {
    const rf = new RelaxedFlops(SMALL);
    const whole = new SpaceFlops(SMALL, wholeSpace(SMALL));
    // the whole space's mean (21.3 MFLOPs) is far from both targets; the space means of the small preset run 1.9..67 M
    for (const target of [2e6, 12e6]) {
      assert.ok(flopsLoss(whole.mean, target) > 0.5);
      const theta = initialTheta(SMALL);
      const st = initialAdamState(theta);
      const rng = Rng.fromSeed(9);
      const steps = 600;
      const before = rf.value(thetaProbabilities(theta));
      for (let k = 0; k < steps; k++) {
        const sample = sampleSpaceRelaxed(theta, temperature(k, steps), rng);
        const dy = flopsLossGradient(rf, hardOneHots(sample), target, 1);
        adamStep(theta, thetaGradient(sample, dy), st, { ...DARTS_THETA_ADAM, lr: 0.05 });
      }
      const elite = selectEliteSpace(SMALL, theta, target, 5, Rng.fromSeed(1));
      assert.ok(elite.elite.deviation < 0.1, `target ${target}: elite mean ${elite.elite.meanFlops} (start ${before})`);
      assert.ok(elite.elite.deviation < flopsLoss(before, target));
    }
  });

  test("'soft' reading: gradient descent on lambda*L_FLOPs(y_soft) brings the Elite Space within 5 % of the target", () => {
    const rf = new RelaxedFlops(SMALL);
    for (const target of [2e6, 12e6, 30e6]) {
      const theta = initialTheta(SMALL);
      const st = initialAdamState(theta);
      const rng = Rng.fromSeed(9);
      const steps = 600;
      for (let k = 0; k < steps; k++) {
        const sample = sampleSpaceRelaxed(theta, temperature(k, steps), rng);
        const dy = flopsLossGradient(rf, softWeights(sample), target, 1);
        adamStep(theta, thetaGradient(sample, dy), st, { ...DARTS_THETA_ADAM, lr: 0.05 });
      }
      const elite = selectEliteSpace(SMALL, theta, target, 5, Rng.fromSeed(1));
      assert.ok(elite.elite.deviation < 0.05, `target ${target}: elite mean ${elite.elite.meanFlops}`);
    }
  });

  test('a target no network can meet is a 4xx naming the field', () => {
    assert.throws(() => checkFlopsTarget(10, 1000, 5000), (e: unknown) => e instanceof InvalidInputError && e.violations[0].field === 'flopsTarget');
    assert.throws(() => checkFlopsTarget(9000, 1000, 5000, 'target'), (e: unknown) => e instanceof InvalidInputError && e.violations[0].field === 'target');
    checkFlopsTarget(5400, 1000, 5000);
  });
});

describe('NSS Elite Space', () => {
  test('keeps the sampled space whose mean FLOPs is closest to the target', () => {
    const t = initialTheta(SMALL);
    const rf = new RelaxedFlops(SMALL);
    const sel = selectEliteSpace(SMALL, t, 5e6, 5, Rng.fromSeed(4));
    assert.equal(sel.candidates.length, 5);
    const devs = sel.candidates.map((c) => Math.abs(rf.spaceMean(c.choice) / 5e6 - 1));
    assert.equal(sel.elite.deviation, Math.min(...devs));
    assert.ok(new Set(sel.candidates.map((c) => JSON.stringify(c.choice))).size > 1);
  });

  test('a peaked Theta gives its mode', () => {
    const t = initialTheta(SMALL);
    t.depth[1][1] = 50;
    t.width[0][2] = 50;
    const sample = sampleSpaceRelaxed(t, 1, Rng.fromSeed(1));
    assert.equal(choiceOf(sample).depth[1], 1);
    assert.equal(choiceOf(sample).width[0], 2);
  });
});
