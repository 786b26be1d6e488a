// CONet Alg. 2 decision logic (src/methods/conet/science/alg2): the shrink/expand rule with δ and μ, Eq. 4, φ
// halving on a flip, convergence when φ < γ, the trial limit, the group vote (mean vs majority) and the stop rules.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ALG2_DEFAULTS, Alg2Params, LayerTrialMetrics, SearchState, decideTrial, groupAction, initialState, layerAction, newChannels } from '../../src/methods/conet/science/alg2';

const P: Alg2Params = { ...ALG2_DEFAULTS, delta: 0.01, mu: 10, gamma: 0.06, phi0: 0.2, maxTrials: 25 };
const up = (group: number, layer = `l${group}`): LayerTrialMetrics => ({ layer, group, slope: 0.05, kappaBar: 2 });
const down = (group: number, layer = `l${group}`): LayerTrialMetrics => ({ layer, group, slope: 0.001, kappaBar: 2 });

describe('CONet Alg. 2', () => {
  test('expand iff S > delta and kappa <= mu; S = delta is a no-op (Sec. 4.2)', () => {
    assert.equal(layerAction(0.02, 5, P), 1);
    assert.equal(layerAction(0.005, 5, P), -1);
    assert.equal(layerAction(0.02, 11, P), -1, 'ill-conditioned layers shrink');
    assert.equal(layerAction(0.02, 10, P), 1, 'kappa = mu still expands');
    assert.equal(layerAction(0.02, null, P), 1, 'undefined kappa does not vote');
    assert.equal(layerAction(0.01, 5, P), 0);
  });

  test('Eq. 4: C_n = C_o (1 + omega phi), rounded, clamped', () => {
    assert.equal(newChannels(32, 1, 0.2, P), 38);
    assert.equal(newChannels(32, -1, 0.2, P), 26);
    assert.equal(newChannels(32, 0, 0.2, P), 32);
    assert.equal(newChannels(2, -1, 0.2, { minChannels: 2, maxChannels: 8 }), 2);
    assert.equal(newChannels(8, 1, 0.5, { minChannels: 2, maxChannels: 8 }), 8);
  });

  test('phi halves at each flip and Eq. 4 uses the halved phi; phi < gamma at a flip converges the group', () => {
    let s: SearchState = initialState(new Map([[0, 100]]), P);
    const run = (m: LayerTrialMetrics): void => {
      s = decideTrial(s, [m], P).state;
    };
    run(up(0)); // no last action: expand by 20 %
    assert.deepEqual([s.groups[0].channels, s.groups[0].phi], [120, 0.2]);
    run(up(0));
    assert.deepEqual([s.groups[0].channels, s.groups[0].phi], [144, 0.2]);
    run(down(0)); // flip: phi 0.1, shrink by 10 %
    assert.deepEqual([s.groups[0].channels, s.groups[0].phi], [130, 0.1]);
    run(up(0)); // flip: phi 0.05, expand by 5 %
    assert.deepEqual([s.groups[0].channels, s.groups[0].phi], [137, 0.05]);
    assert.equal(s.stopped, false);
    const r = decideTrial(s, [down(0)], P); // flip with phi 0.05 < gamma 0.06: converged, no change
    assert.equal(r.decisions[0].converged, true);
    assert.equal(r.decisions[0].action, 0);
    assert.equal(r.state.groups[0].channels, 137);
    assert.equal(r.state.stopped, true);
    assert.equal(r.state.stopReason, 'converged');
  });

  test('per-group stop freezes only the converged group; the trial limit ends the search', () => {
    const p = { ...P, gamma: 0.15, maxTrials: 4 };
    let s = initialState(new Map([[0, 50], [1, 50]]), p);
    s = decideTrial(s, [up(0), up(1)], p).state; // 60, 60
    s = decideTrial(s, [down(0), up(1)], p).state; // g0 flips: phi 0.1, 54; g1 72
    const r = decideTrial(s, [up(0), up(1)], p); // g0 flips with 0.1 < 0.15: converged at 54; g1 86
    assert.deepEqual(r.state.groups.map((g) => [g.channels, g.converged]), [[54, true], [86, false]]);
    assert.equal(r.state.stopped, false);
    const r2 = decideTrial(r.state, [down(0), up(1)], p);
    assert.equal(r2.state.groups[0].channels, 54, 'a converged group no longer moves');
    assert.equal(r2.decisions[0].action, 0);
    assert.deepEqual([r2.state.stopped, r2.state.stopReason, r2.state.trials], [true, 'trial-limit', 4]);
    assert.throws(() => decideTrial(r2.state, [], p), RangeError);
  });

  test('stopRule any-group ends the search at the first convergence with the trained sizes', () => {
    const p: Alg2Params = { ...P, gamma: 0.15, stopRule: 'any-group' };
    let s = initialState(new Map([[0, 50], [1, 50]]), p);
    s = decideTrial(s, [up(0), up(1)], p).state;
    s = decideTrial(s, [down(0), up(1)], p).state;
    const r = decideTrial(s, [up(0), up(1)], p);
    assert.equal(r.state.stopped, true);
    assert.deepEqual(r.state.groups.map((g) => g.channels), s.groups.map((g) => g.channels));
  });

  test('a group votes by the mean of its layers (default) or by majority (option)', () => {
    const layers: LayerTrialMetrics[] = [
      { layer: 'a', group: 0, slope: 0.05, kappaBar: 2 },
      { layer: 'b', group: 0, slope: 0.002, kappaBar: null },
      { layer: 'c', group: 0, slope: 0.002, kappaBar: 4 },
    ];
    const m = groupAction(layers, P);
    assert.ok(Math.abs(m.slope! - 0.018) < 1e-12);
    assert.equal(m.kappaBar, 3);
    assert.equal(m.action, 1);
    assert.equal(groupAction(layers, { ...P, vote: 'majority' }).action, -1);
    assert.equal(groupAction(layers.slice(0, 2), { ...P, vote: 'majority' }).action, 0, 'a tie is a no-op');
    assert.equal(groupAction([], P).action, 0, 'a group without measured layers keeps its size');
  });

  test('the state survives a JSON round trip (resumable per trial)', () => {
    let s = initialState(new Map([[3, 16]]), P);
    s = decideTrial(s, [up(3)], P).state;
    const back = JSON.parse(JSON.stringify(s)) as SearchState;
    assert.deepEqual(decideTrial(back, [down(3)], P), decideTrial(s, [down(3)], P));
  });
});
