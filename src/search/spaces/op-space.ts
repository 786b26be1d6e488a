/**
 * Layer-wise operator spaces of a cell search space (one list of allowed ops per edge, "layer" in SE-NAS terms):
 * size, enumeration, membership, partial models of a group of edges, and stratified sampling of children.
 */
import type { Rng } from '../../common/rng';

/** Allowed ops per edge (op indices), e.g. NB201's full space is [0..4] on each of the 6 edges. */
export type OpSpace = readonly (readonly number[])[];

export function fullOpSpace(numEdges: number, numOps: number): number[][] {
  return Array.from({ length: numEdges }, () => Array.from({ length: numOps }, (_, o) => o));
}

/** Number of archs in the space. */
export function opSpaceSize(space: OpSpace): number {
  return space.reduce((n, ops) => n * ops.length, 1);
}

export function inOpSpace(space: OpSpace, ops: readonly number[]): boolean {
  return ops.length === space.length && ops.every((o, e) => space[e].includes(o));
}

/** Every arch of the space, edge 0 most significant, ops in their listed order. */
export function enumerateOpSpace(space: OpSpace): number[][] {
  return partialModels(
    space.map((_, e) => e),
    space,
  );
}

/** Every combination of allowed ops over the edges of `group` (the group's partial models). */
export function partialModels(group: readonly number[], space: OpSpace): number[][] {
  let out: number[][] = [[]];
  for (const e of group) out = out.flatMap((p) => space[e].map((o) => [...p, o]));
  return out;
}

/**
 * `count` children of the space, stratified per edge: each edge cycles through a fresh shuffle of its ops, so every
 * op of an edge appears floor or ceil(count / |ops|) times, and edges are paired at random. Every op then gets
 * evidence for the selection importance (Eq. 5) even with few samples.
 */
export function stratifiedChildren(space: OpSpace, count: number, rng: Rng): number[][] {
  const columns = space.map((ops) => {
    const col: number[] = [];
    while (col.length < count) col.push(...rng.shuffle(ops.slice()));
    return rng.shuffle(col.slice(0, count));
  });
  return Array.from({ length: count }, (_, i) => columns.map((c) => c[i]));
}
