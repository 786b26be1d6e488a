/**
 * SE-NAS operator scores (Hu et al., Pattern Recognition 2021, Sec. 3): selection importance SI of each operator
 * from the accuracies of sampled children, selection confidence SC of each layer (edge), and the score that decides
 * which operators a shrinking stage removes. The paper's text is not available here; the forms below follow the
 * method as specified in our issue #5 and are our reading of Eqs. 5-7.
 */
import type { Rng } from '../../../search/common/rng';
import type { OpSpace } from '../../../search/spaces/op-space';

/** A sampled child and its (supernet) accuracy. */
export interface ScoredChild {
  ops: readonly number[];
  accuracy: number;
}

/** How operators are ranked for removal: SE-NAS (Eq. 7), SI alone (Eq. 5), or random (ablations). */
export const SCORING_RULES = ['se-nas', 'si', 'random'] as const;
export type ScoringRule = (typeof SCORING_RULES)[number];

export interface OperatorScore {
  edge: number;
  op: number;
  /** Sampled children containing this operator on this edge. */
  samples: number;
  /** Selection importance, Eq. 5 (NaN without samples). */
  si: number;
  /** Selection confidence of the edge, Eq. 6. */
  sc: number;
  /** The score removal ranks by (lower is removed first). */
  score: number;
}

/** SI(o_{l,i}) = mean accuracy of the sampled children that use op i on edge l (Eq. 5). */
export function selectionImportance(children: readonly ScoredChild[], space: OpSpace): { si: number[][]; counts: number[][] } {
  const sums = space.map((ops) => ops.map(() => 0));
  const counts = space.map((ops) => ops.map(() => 0));
  for (const c of children) {
    c.ops.forEach((o, e) => {
      const i = space[e].indexOf(o);
      if (i < 0) return;
      sums[e][i] += c.accuracy;
      counts[e][i]++;
    });
  }
  return { si: sums.map((row, e) => row.map((s, i) => (counts[e][i] ? s / counts[e][i] : Number.NaN))), counts };
}

/** SC_l = variance of SI over edge l's candidates (Eq. 6): a layer whose candidates differ clearly is confidently ranked. */
export function selectionConfidence(si: readonly number[]): number {
  const v = si.filter(Number.isFinite);
  if (v.length < 2) return 0;
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
}

/**
 * Scores of every operator of the space. Eq. 7: S(o_{l,i}) = SC_l * (SI(o_{l,i}) - mean_j SI(o_{l,j})): an operator
 * below its layer's mean scores low, the more so the more confident the layer. An operator without samples scores 0
 * (no evidence either way). `rule` 'si' ranks by SI alone, 'random' by uniform noise (ablations of Fig. 6).
 */
export function scoreOperators(children: readonly ScoredChild[], space: OpSpace, rule: ScoringRule, rng: Rng): OperatorScore[] {
  const { si, counts } = selectionImportance(children, space);
  const out: OperatorScore[] = [];
  space.forEach((ops, e) => {
    const sc = selectionConfidence(si[e]);
    const finite = si[e].filter(Number.isFinite);
    const mean = finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : 0;
    ops.forEach((op, i) => {
      const s = si[e][i];
      const score = rule === 'random' ? rng.next() : rule === 'si' ? (Number.isFinite(s) ? s : mean) : Number.isFinite(s) ? sc * (s - mean) : 0;
      out.push({ edge: e, op, samples: counts[e][i], si: s, sc, score });
    });
  });
  return out;
}

export interface ShrinkResult {
  space: number[][];
  removed: Array<{ edge: number; op: number; score: number }>;
}

/** Removes the k lowest-scoring operators, never the last one of an edge (ties: lower edge, then op, first). */
export function shrink(space: OpSpace, scores: readonly OperatorScore[], k: number): ShrinkResult {
  const next = space.map((ops) => ops.slice());
  const removed: ShrinkResult['removed'] = [];
  const order = scores.slice().sort((a, b) => a.score - b.score || a.edge - b.edge || a.op - b.op);
  for (const s of order) {
    if (removed.length >= k) break;
    const ops = next[s.edge];
    const i = ops.indexOf(s.op);
    if (i < 0 || ops.length <= 1) continue;
    ops.splice(i, 1);
    removed.push({ edge: s.edge, op: s.op, score: s.score });
  }
  return { space: next, removed };
}

/**
 * SE-NAS expanding: merge adjacent layer-wise spaces left to right while the merged space has at most T partial
 * models (product of the edges' op counts); each resulting group of >= 2 edges gets independent weights per partial
 * model. Returns the groups as lists of edges.
 */
export function mergeLayerSpaces(space: OpSpace, T: number): number[][] {
  const groups: number[][] = [];
  let size = 0;
  space.forEach((ops, e) => {
    const g = groups[groups.length - 1];
    if (g && size * ops.length <= T) {
      g.push(e);
      size *= ops.length;
    } else {
      groups.push([e]);
      size = ops.length;
    }
  });
  return groups;
}
