// CONet probing metrics (Sec. 2): rank R (Eq. 1), low-rank condition κ (Eq. 2), average rank R̄ = (R3 + R4)/2
// and rank slope S (Eq. 3), from the EVBMF low-rank part of the unfolded kernels.
//
// Which layers are measured (Sec. 3.1): conv layers (incl. 1x1) are conv edges and measured; a depthwise layer is a
// non-conv edge and never measured; a separable conv is measured by its pointwise (1x1) layer.
import { EvbmfOptions, EvbmfResult, evbmf } from './evbmf';
import { KernelShape, UnfoldMode, unfoldKernel } from './unfold';

/** The kind of a layer with a kernel; only 'conv' and 'pointwise' carry CONet metrics (Sec. 3.1). */
export type KernelLayerKind = 'conv' | 'pointwise' | 'depthwise';

export function isMeasured(kind: KernelLayerKind): boolean {
  return kind !== 'depthwise';
}

/** Metrics of one unfolding W_d. */
export interface ModeMetrics {
  /** N_d, the channel size along d */
  channels: number;
  /** N'_d, rank of the EVBMF low-rank part Ŵ_d */
  lowRank: number;
  /** R(Ŵ_d) = N'_d / N_d ∈ [0, 1] (Eq. 1) */
  rank: number;
  /** κ(Ŵ_d) = σ_1(Ŵ_d) / σ_{N'_d}(Ŵ_d) (Eq. 2); null when N'_d = 0 (undefined) */
  condition: number | null;
  /** EVBMF noise variance estimate */
  sigma2: number;
}

/** Metrics of one conv layer at one epoch. */
export interface LayerMetrics {
  r3: ModeMetrics;
  r4: ModeMetrics;
  /** R̄ = (R3 + R4)/2 (Sec. 2.2) */
  rBar: number;
  /** κ̄ = mean of the defined κ3, κ4 (Alg. 2 line 4); null when neither is defined */
  kappaBar: number | null;
}

/** Eq. 1 and Eq. 2 from an EVBMF result of an unfolding with N_d rows. */
export function modeMetrics(res: EvbmfResult, channels: number): ModeMetrics {
  const lowRank = res.rank;
  const rank = lowRank / channels; // Eq. 1
  const condition = lowRank > 0 ? res.lowRankValues[0] / res.lowRankValues[lowRank - 1] : null; // Eq. 2
  return { channels, lowRank, rank, condition, sigma2: res.sigma2 };
}

/** R̄ and κ̄ of two unfoldings. */
export function combineModes(r3: ModeMetrics, r4: ModeMetrics): LayerMetrics {
  const rBar = (r3.rank + r4.rank) / 2; // R̄ = (R3 + R4)/2
  const ks = [r3.condition, r4.condition].filter((k): k is number => k !== null);
  const kappaBar = ks.length > 0 ? ks.reduce((a, b) => a + b, 0) / ks.length : null;
  return { r3, r4, rBar, kappaBar };
}

/** Metrics of a conv (or pointwise) kernel in TensorFlow.js layout [kh, kw, cin, cout]. */
export function layerMetrics(kernel: ArrayLike<number>, shape: KernelShape, options: EvbmfOptions = {}): LayerMetrics {
  const mode = (d: UnfoldMode): ModeMetrics => modeMetrics(evbmf(unfoldKernel(kernel, shape, d), options), d === 3 ? shape[2] : shape[3]);
  return combineModes(mode(3), mode(4));
}

/** One point of a trial's R̄ history. */
export interface RankPoint {
  epoch: number;
  rBar: number;
}

/**
 * Where Eq. 3 ends. 'trial-end' (default): t2 is the trial's last recorded epoch; Sec. 4.3 sets the epochs per trial
 * to the epochs the rank takes to converge, so the end of the trial is the plateau by construction.
 * 'plateau' (option): t2 is the first epoch whose R̄ is within `tolerance` of the trial's maximum R̄.
 */
export type SlopeEnd = { kind: 'trial-end' } | { kind: 'plateau'; tolerance: number };

/** Rank slope S = (R̄(t2) − R̄(t1)) / (t2 − t1) (Eq. 3), t1 the first recorded epoch of the trial. */
export function rankSlope(series: readonly RankPoint[], end: SlopeEnd = { kind: 'trial-end' }): number {
  if (series.length < 2) throw new RangeError(`rank slope needs at least two epochs, got ${series.length}`);
  const pts = [...series].sort((a, b) => a.epoch - b.epoch);
  const first = pts[0];
  let last = pts[pts.length - 1];
  if (end.kind === 'plateau') {
    const max = Math.max(...pts.map((p) => p.rBar));
    last = pts.find((p) => p.rBar >= max - end.tolerance) ?? last;
  }
  if (last.epoch === first.epoch) return 0;
  return (last.rBar - first.rBar) / (last.epoch - first.epoch); // Eq. 3
}
