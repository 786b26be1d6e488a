/**
 * SE-NAS operator scores (Hu et al., Pattern Recognition 2021, Sec. 3): selection importance SI of each operator
 * from the accuracies of sampled children, selection confidence SC of each layer (edge), and the score that decides
 * which operators a shrinking stage removes (Eqs. 5-7 of Hu et al., Pattern Recognition 2021; issue #13).
 */
import type { Rng } from '../../../common/rng';
import type { OpSpace } from '../../../search/spaces/op-space';

/** A sampled child and its (supernet) accuracy. */
export interface ScoredChild {
  ops: readonly number[];
  accuracy: number;
}

/**
 * How operators are ranked for removal: 'se-nas' = Eq. 7 as printed (default); 'sc-times-deviation' = this project's
 * earlier reading SC * (SI - mean SI of the edge) (named option); 'si' = SI alone (Eq. 5, ablation); 'random' (ablation).
 */
export const SCORING_RULES = ['se-nas', 'sc-times-deviation', 'si', 'random'] as const;
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
  /** The score removal ranks by (lower is removed first; +Infinity = never removed by this stage, serialised as null). */
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

/** Mean of the finite values (0 when there are none). */
function finiteMean(v: readonly number[]): number {
  const f = v.filter(Number.isFinite);
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : 0;
}

/**
 * Eq. 7 as printed, most literal reading: S_o = normalize(SI_o) / normalize(SC_o), normalize(x) = x / mean(x) with the
 * mean over all current operators of the space (SC_o is the SC of o's edge, so an edge with m operators counts m times).
 * Both normalisers are common to all operators, so the ranking equals that of SI_o / SC_o: low SI and high SC remove
 * first. SC_o = 0 (an edge with one operator, or whose operators have equal SI) gives S_o = +Infinity: no confidence,
 * never removed in this stage; so does an operator without samples (SI NaN: no evidence). Ties (e.g. all +Infinity)
 * are broken in `shrink` by SI, then edge, then op.
 */
export function paperScore(si: number, sc: number, meanSi: number, meanSc: number): number {
  if (!Number.isFinite(si) || !(sc > 0) || !(meanSc > 0)) return Number.POSITIVE_INFINITY;
  const nSi = meanSi > 0 ? si / meanSi : 0;
  return nSi / (sc / meanSc); // Eq. 7
}

/**
 * Scores of every operator of the space by `rule`: 'se-nas' = Eq. 7 as printed (paperScore); 'sc-times-deviation' =
 * SC_l * (SI(o_{l,i}) - mean_j SI(o_{l,j})), an operator without samples scoring 0 (no evidence either way); 'si' = SI
 * alone (unsampled: the edge mean); 'random' = uniform noise from `rng` (ablations).
 */
export function scoreOperators(children: readonly ScoredChild[], space: OpSpace, rule: ScoringRule, rng: Rng): OperatorScore[] {
  const { si, counts } = selectionImportance(children, space);
  const scs = si.map((row) => selectionConfidence(row));
  const flatSi = si.flat();
  const meanSi = finiteMean(flatSi);
  const meanSc = finiteMean(space.flatMap((ops, e) => ops.map(() => scs[e])));
  const out: OperatorScore[] = [];
  space.forEach((ops, e) => {
    const sc = scs[e];
    const edgeMean = finiteMean(si[e]);
    ops.forEach((op, i) => {
      const s = si[e][i];
      let score: number;
      if (rule === 'random') score = rng.next();
      else if (rule === 'si') score = Number.isFinite(s) ? s : edgeMean;
      else if (rule === 'sc-times-deviation') score = Number.isFinite(s) ? sc * (s - edgeMean) : 0;
      else score = paperScore(s, sc, meanSi, meanSc);
      out.push({ edge: e, op, samples: counts[e][i], si: s, sc, score });
    });
  });
  return out;
}

export interface ShrinkResult {
  space: number[][];
  removed: Array<{ edge: number; op: number; score: number }>;
}

/** Removes the k lowest-scoring operators, never the last one of an edge (ties: lower SI, then lower edge, then op, first). */
export function shrink(space: OpSpace, scores: readonly OperatorScore[], k: number): ShrinkResult {
  const next = space.map((ops) => ops.slice());
  const removed: ShrinkResult['removed'] = [];
  const bySi = (a: OperatorScore, b: OperatorScore): number => (Number.isFinite(a.si) ? a.si : Infinity) - (Number.isFinite(b.si) ? b.si : Infinity) || 0;
  const byScore = (a: OperatorScore, b: OperatorScore): number => (a.score === b.score ? 0 : a.score - b.score);
  const order = scores.slice().sort((a, b) => byScore(a, b) || bySi(a, b) || a.edge - b.edge || a.op - b.op);
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
