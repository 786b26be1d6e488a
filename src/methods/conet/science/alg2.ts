// CONet Alg. 2 (Sec. 4.2-4.3): per trial, shrink or expand every channel group from its rank slope S (Eq. 3) and
// low-rank condition κ̄ (Eq. 2), new size by Eq. 4, φ halved on a flip, stop when φ < γ or after the trial limit.
// Pure: state in, state out (JSON-serialisable, so a search resumes from the last finished trial).
//
// Readings (default = most literal; others are named options):
// - Action (Alg. 2 lines 7-9): Expand (ω = +1); Shrink (ω = −1) if S < δ or κ̄ > μ. Sec. 4.2 adds ω = 0 when
//   S = δ exactly (and κ̄ ≤ μ); we follow it (a measure-zero case).
// - φ is per layer (φ_ℓ, Sec. 4.2), here per channel group; it starts at φ0 = 20 %. A flip is "last action ≠
//   current action" (line 10; the first trial has no last action). On a flip: if φ < γ the group has converged
//   (line 11-12), else φ ← φ/2 (line 13) and Eq. 4 uses the halved φ (line 14 comes after line 13).
// - "Stop, channel sizes have converged" (line 12): stopRule 'per-group' (default) freezes that group from then on
//   with ω = 0 ("until channel size converges and a no-operation decision is taken", Sec. 4.2) and the search
//   ends when every tunable group is frozen or the trial limit is reached; stopRule 'any-group' ends the whole
//   search at the first convergence, keeping the channel sizes of the trial just trained.
// - A channel group takes one decision. vote 'mean' (default): S and κ̄ are averaged over the group's measured
//   layers (conv edges that write the group's channels; κ̄ over the layers where it is defined) and Alg. 2 is applied
//   once; vote 'majority': each layer applies Alg. 2, the group takes the sign of the sum of the votes (a tie: ω = 0).
// - Eq. 4 gives a real number; channels are Math.round(C_o (1 + ω φ)), clamped to [minChannels, maxChannels].
// - Weights of the next trial: Alg. 2 line 15 "Instantiate model with new channels" — the next trial restarts from
//   a fresh initialisation (weights 'restart', default); 'transplant' (keep the overlapping slices of the previous
//   trial's weights) is an option of the training ring.

export type Action = -1 | 0 | 1;
export type Vote = 'mean' | 'majority';
export type StopRule = 'per-group' | 'any-group';
export type WeightCarry = 'restart' | 'transplant';

export interface Alg2Params {
  /** δ, rank-slope threshold */
  delta: number;
  /** μ, low-rank condition threshold */
  mu: number;
  /** γ, stop when φ < γ at a flip */
  gamma: number;
  /** φ0, initial scale factor (paper: 20 %) */
  phi0: number;
  /** trial limit */
  maxTrials: number;
  minChannels: number;
  maxChannels: number;
  vote: Vote;
  stopRule: StopRule;
}

/** Paper defaults where the main text gives them (φ0 = 0.2, 25 trials, δ2 = 0.0075); μ, γ and the limits are ours. */
export const ALG2_DEFAULTS: Alg2Params = {
  delta: 0.0075,
  mu: 10,
  gamma: 0.01,
  phi0: 0.2,
  maxTrials: 25,
  minChannels: 1,
  maxChannels: 4096,
  vote: 'mean',
  stopRule: 'per-group',
};

/** One measured layer's trial summary. */
export interface LayerTrialMetrics {
  layer: string;
  /** the channel group its output channels belong to */
  group: number;
  /** S (Eq. 3) over the trial */
  slope: number;
  /** κ̄ at the end of the trial; null when undefined (rank 0) */
  kappaBar: number | null;
}

export interface GroupState {
  group: number;
  channels: number;
  phi: number;
  lastAction: Action | null;
  converged: boolean;
}

export interface SearchState {
  /** trials finished */
  trials: number;
  groups: GroupState[];
  stopped: boolean;
  stopReason: 'converged' | 'trial-limit' | null;
}

export interface GroupDecision {
  group: number;
  slope: number | null;
  kappaBar: number | null;
  action: Action;
  flipped: boolean;
  phiBefore: number;
  phiAfter: number;
  channelsBefore: number;
  channelsAfter: number;
  converged: boolean;
}

export function initialState(channels: ReadonlyMap<number, number>, params: Pick<Alg2Params, 'phi0'>): SearchState {
  const groups = [...channels].map(([group, c]) => ({ group, channels: c, phi: params.phi0, lastAction: null, converged: false }));
  return { trials: 0, groups, stopped: false, stopReason: null };
}

/** Alg. 2 lines 7-9 (+ Sec. 4.2's ω = 0 at S = δ) for one (S, κ̄). */
export function layerAction(slope: number, kappaBar: number | null, params: Pick<Alg2Params, 'delta' | 'mu'>): Action {
  if (slope < params.delta || (kappaBar !== null && kappaBar > params.mu)) return -1;
  return slope === params.delta ? 0 : 1;
}

function mean(xs: readonly number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

/** One group's action from its layers (the vote). */
export function groupAction(layers: readonly LayerTrialMetrics[], params: Pick<Alg2Params, 'delta' | 'mu' | 'vote'>): { action: Action; slope: number | null; kappaBar: number | null } {
  const slope = mean(layers.map((l) => l.slope));
  const kappaBar = mean(layers.map((l) => l.kappaBar).filter((k): k is number => k !== null));
  if (slope === null) return { action: 0, slope, kappaBar };
  if (params.vote === 'mean') return { action: layerAction(slope, kappaBar, params), slope, kappaBar };
  const votes = layers.reduce((s, l) => s + layerAction(l.slope, l.kappaBar, params), 0);
  return { action: Math.sign(votes) as Action, slope, kappaBar };
}

/** Eq. 4: C_n = C_o (1 + ω φ), rounded and clamped. */
export function newChannels(old: number, action: Action, phi: number, params: Pick<Alg2Params, 'minChannels' | 'maxChannels'>): number {
  const c = Math.round(old * (1 + action * phi)); // Eq. 4
  return Math.min(params.maxChannels, Math.max(params.minChannels, c));
}

/** Alg. 2 lines 6-15 for one finished trial: the decisions and the next state. */
export function decideTrial(state: SearchState, layers: readonly LayerTrialMetrics[], params: Alg2Params): { state: SearchState; decisions: GroupDecision[] } {
  if (state.stopped) throw new RangeError('the search has already stopped');
  const decisions: GroupDecision[] = [];
  let anyConverged = false;
  const groups = state.groups.map((g): GroupState => {
    const base = { group: g.group, phiBefore: g.phi, channelsBefore: g.channels };
    if (g.converged) {
      const { slope, kappaBar } = groupAction(layers.filter((l) => l.group === g.group), params);
      decisions.push({ ...base, slope, kappaBar, action: 0, flipped: false, phiAfter: g.phi, channelsAfter: g.channels, converged: true });
      return g;
    }
    const { action, slope, kappaBar } = groupAction(layers.filter((l) => l.group === g.group), params);
    const flipped = g.lastAction !== null && g.lastAction !== action; // line 10
    let phi = g.phi;
    let converged = false;
    if (flipped) {
      if (phi < params.gamma) converged = true; // lines 11-12
      else phi = phi / 2; // line 13
    }
    const act: Action = converged ? 0 : action;
    const channels = converged ? g.channels : newChannels(g.channels, act, phi, params); // line 14, Eq. 4
    anyConverged ||= converged;
    decisions.push({ ...base, slope, kappaBar, action: act, flipped, phiAfter: phi, channelsAfter: channels, converged });
    return { group: g.group, channels, phi, lastAction: converged ? g.lastAction : action, converged };
  });
  const trials = state.trials + 1;
  if (params.stopRule === 'any-group' && anyConverged) {
    // the whole search ends; the network trained in this trial is the result
    return { state: { trials, groups: state.groups.map((g) => ({ ...g })), stopped: true, stopReason: 'converged' }, decisions };
  }
  const allConverged = groups.every((g) => g.converged);
  const stopReason = allConverged ? 'converged' : trials >= params.maxTrials ? 'trial-limit' : null;
  return { state: { trials, groups, stopped: stopReason !== null, stopReason }, decisions };
}
