/**
 * Theta, the parameters of P_Theta over network spaces (NSS Eq. 2): per stage one categorical distribution over the
 * depth ranges and one over the width ranges, as logits. A space is sampled with the Gumbel-softmax (Jang et al.
 * 2017) at temperature tau, annealed linearly from 5 to 0.001 (supplementary 6.4.1).
 *
 * Estimator: straight-through Gumbel-softmax. The forward pass uses the hard one-hot y_hard = onehot(argmax(logits
 * + g)) (so the network and the FLOPs are those of the sampled space exactly); the backward pass treats dL/dy_hard
 * as dL/dy_soft with y_soft = softmax((logits + g) / tau), whose Jacobian gives
 * dL/dlogits = (1/tau) y_soft * (dL/dy - <y_soft, dL/dy>).
 *
 * Theta is updated with Adam (DARTS' architecture optimiser: lr 3e-4, betas (0.5, 0.999), weight decay 1e-3;
 * NSS follows DARTS' hyper-parameters, supplementary 6.4.1).
 */
import type { Rng } from '../../../common/rng';
import { ExpandedSearchSpace, NSS_STAGES, SpaceChoice, depthRangeCount, widthRangeCount } from './space';

/** Logits per stage: depth[i][k] over depth ranges, width[i][k] over width ranges. */
export interface Theta {
  depth: number[][];
  width: number[][];
}

/** One relaxed categorical draw. */
export interface CategoricalSample {
  /** Index of the hard one-hot (argmax of logits + Gumbel noise). */
  index: number;
  /** softmax((logits + g) / tau). */
  soft: number[];
}

/** A Gumbel-softmax draw of a whole network space. */
export interface SpaceSample {
  tau: number;
  depth: CategoricalSample[];
  width: CategoricalSample[];
}

/** Uniform P_Theta: all logits 0. */
export function initialTheta(s: ExpandedSearchSpace): Theta {
  return {
    depth: Array.from({ length: NSS_STAGES }, () => new Array<number>(depthRangeCount(s)).fill(0)),
    width: Array.from({ length: NSS_STAGES }, () => new Array<number>(widthRangeCount(s)).fill(0)),
  };
}

export function cloneTheta(t: Theta): Theta {
  return { depth: t.depth.map((r) => r.slice()), width: t.width.map((r) => r.slice()) };
}

export function softmax(v: readonly number[]): number[] {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

/** P_Theta per stage: softmax of the logits. */
export function thetaProbabilities(t: Theta): Theta {
  return { depth: t.depth.map(softmax), width: t.width.map(softmax) };
}

/** Linear annealing tau(step) from `start` at step 0 to `end` at step total - 1 (supplementary 6.4.1: 5 -> 0.001). */
export function temperature(step: number, total: number, start = 5, end = 0.001): number {
  if (total <= 1) return end;
  const f = Math.min(1, Math.max(0, step / (total - 1)));
  return start + (end - start) * f;
}

/** Standard Gumbel noise -log(-log u), u in (0, 1). */
function gumbel(rng: Rng): number {
  let u = rng.next();
  while (u <= 0) u = rng.next();
  return -Math.log(-Math.log(u));
}

/** One Gumbel-softmax draw from `logits` at temperature tau. */
export function gumbelSoftmax(logits: readonly number[], tau: number, rng: Rng): CategoricalSample {
  const z = logits.map((l) => (l + gumbel(rng)) / tau);
  let index = 0;
  for (let k = 1; k < z.length; k++) if (z[k] > z[index]) index = k;
  return { index, soft: softmax(z) };
}

/** A network space drawn with the Gumbel-softmax: per stage a depth range and a width range. */
export function sampleSpaceRelaxed(t: Theta, tau: number, rng: Rng): SpaceSample {
  const depth: CategoricalSample[] = [];
  const width: CategoricalSample[] = [];
  for (let i = 0; i < NSS_STAGES; i++) {
    depth.push(gumbelSoftmax(t.depth[i], tau, rng));
    width.push(gumbelSoftmax(t.width[i], tau, rng));
  }
  return { tau, depth, width };
}

export function choiceOf(s: SpaceSample): SpaceChoice {
  return { depth: s.depth.map((c) => c.index), width: s.width.map((c) => c.index) };
}

/** The hard one-hot vectors of a sample (what the forward pass and the FLOPs use). */
export function hardOneHots(s: SpaceSample): Theta {
  const oh = (c: CategoricalSample): number[] => c.soft.map((_, k) => (k === c.index ? 1 : 0));
  return { depth: s.depth.map(oh), width: s.width.map(oh) };
}

/** The relaxed weights y_soft of a sample (what the `soft` FLOPs reading evaluates FLOPs(y) at). */
export function softWeights(s: SpaceSample): Theta {
  return { depth: s.depth.map((c) => c.soft.slice()), width: s.width.map((c) => c.soft.slice()) };
}

/** Straight-through backward of one categorical: dL/dlogits = (1/tau) y (g - <y, g>) with y = soft, g = dL/dy. */
export function softmaxBackward(soft: readonly number[], tau: number, upstream: readonly number[]): number[] {
  const dot = soft.reduce((a, y, k) => a + y * upstream[k], 0);
  return soft.map((y, k) => (y * (upstream[k] - dot)) / tau);
}

/** dL/dTheta for a sample given dL/dy_hard per categorical (straight-through). */
export function thetaGradient(sample: SpaceSample, dy: Theta): Theta {
  return {
    depth: sample.depth.map((c, i) => softmaxBackward(c.soft, sample.tau, dy.depth[i])),
    width: sample.width.map((c, i) => softmaxBackward(c.soft, sample.tau, dy.width[i])),
  };
}

/** a + s * b, elementwise. */
export function addScaled(a: Theta, b: Theta, s: number): Theta {
  return { depth: a.depth.map((r, i) => r.map((v, k) => v + s * b.depth[i][k])), width: a.width.map((r, i) => r.map((v, k) => v + s * b.width[i][k])) };
}

/** Draws one categorical index from probabilities p (inverse CDF). */
function categorical(p: readonly number[], rng: Rng): number {
  let u = rng.next();
  for (let k = 0; k < p.length; k++) {
    u -= p[k];
    if (u < 0) return k;
  }
  return p.length - 1;
}

/** A network space drawn from P_Theta (no relaxation): per stage, independent categorical draws. */
export function sampleSpace(t: Theta, rng: Rng): SpaceChoice {
  const p = thetaProbabilities(t);
  return { depth: p.depth.map((r) => categorical(r, rng)), width: p.width.map((r) => categorical(r, rng)) };
}

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** L2 weight decay added to the gradient (torch.optim.Adam weight_decay). */
  weightDecay: number;
}

/** DARTS' architecture optimiser settings. */
export const DARTS_THETA_ADAM: AdamOptions = { lr: 3e-4, beta1: 0.5, beta2: 0.999, eps: 1e-8, weightDecay: 1e-3 };

/** Serialisable Adam state for Theta. */
export interface AdamState {
  step: number;
  m: Theta;
  v: Theta;
}

export function initialAdamState(t: Theta): AdamState {
  const zero = (x: Theta): Theta => ({ depth: x.depth.map((r) => r.map(() => 0)), width: x.width.map((r) => r.map(() => 0)) });
  return { step: 0, m: zero(t), v: zero(t) };
}

/** One Adam step (torch.optim.Adam, bias-corrected) on Theta in place; updates `st` in place. */
export function adamStep(t: Theta, grad: Theta, st: AdamState, o: AdamOptions): void {
  st.step++;
  const bc1 = 1 - o.beta1 ** st.step;
  const bc2 = 1 - o.beta2 ** st.step;
  const upd = (p: number[][], g: number[][], m: number[][], v: number[][]): void => {
    p.forEach((row, i) =>
      row.forEach((x, k) => {
        const gk = g[i][k] + o.weightDecay * x;
        m[i][k] = o.beta1 * m[i][k] + (1 - o.beta1) * gk;
        v[i][k] = o.beta2 * v[i][k] + (1 - o.beta2) * gk * gk;
        row[k] = x - (o.lr * (m[i][k] / bc1)) / (Math.sqrt(v[i][k] / bc2) + o.eps);
      }),
    );
  };
  upd(t.depth, grad.depth, st.m.depth, st.v.depth);
  upd(t.width, grad.width, st.m.width, st.v.width);
}
