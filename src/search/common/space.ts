/**
 * A cell search space: every arch is one op (0..numOps-1) per edge (0..numEdges-1), every combination is an arch,
 * and each arch has an integer index 0..size-1. NAS-Bench-201 is 6 edges x 5 ops (index = the official NB201 index);
 * tests use small synthetic grids. The search algorithms see only this view of the space (no accuracies, no costs).
 */
export interface CellSearchSpace {
  /** Number of archs (numOps ** numEdges). */
  readonly size: number;
  readonly numEdges: number;
  readonly numOps: number;
  /** Op per edge of an arch (do not mutate). */
  opsOf(index: number): readonly number[];
  /** Index of an op tuple; throws on an op tuple outside the space. */
  indexOf(ops: readonly number[]): number;
}

/** The space where the index is the op tuple read as a base-numOps number (edge 0 most significant). */
export function gridSpace(numEdges: number, numOps: number): CellSearchSpace {
  if (!Number.isInteger(numEdges) || numEdges < 1 || !Number.isInteger(numOps) || numOps < 2) {
    throw new RangeError(`a grid space needs >= 1 edge and >= 2 ops, got ${numEdges} x ${numOps}`);
  }
  const size = numOps ** numEdges;
  const opsCache: (readonly number[])[] = new Array(size);
  return {
    size,
    numEdges,
    numOps,
    opsOf(index: number): readonly number[] {
      if (!Number.isInteger(index) || index < 0 || index >= size) throw new RangeError(`arch index ${index} out of range 0..${size - 1}`);
      let ops = opsCache[index];
      if (!ops) {
        const out = new Array<number>(numEdges);
        let k = index;
        for (let e = numEdges - 1; e >= 0; e--) {
          out[e] = k % numOps;
          k = Math.floor(k / numOps);
        }
        ops = opsCache[index] = Object.freeze(out);
      }
      return ops;
    },
    indexOf(ops: readonly number[]): number {
      if (ops.length !== numEdges) throw new RangeError(`an arch has ${numEdges} edges, got ${ops.length}`);
      let k = 0;
      for (const o of ops) {
        if (!Number.isInteger(o) || o < 0 || o >= numOps) throw new RangeError(`op ${o} out of range 0..${numOps - 1}`);
        k = k * numOps + o;
      }
      return k;
    },
  };
}

/** The 1-edge-change neighbourhood: every arch that differs from `index` in exactly one edge's op. */
export function neighbours(space: CellSearchSpace, index: number): number[] {
  const ops = space.opsOf(index);
  const out: number[] = [];
  const child = ops.slice();
  for (let e = 0; e < space.numEdges; e++) {
    for (let o = 0; o < space.numOps; o++) {
      if (o === ops[e]) continue;
      child[e] = o;
      out.push(space.indexOf(child));
    }
    child[e] = ops[e];
  }
  return out;
}

/** Index of the arch `index` with edge `edge` set to op `op`. */
export function withOp(space: CellSearchSpace, index: number, edge: number, op: number): number {
  const child = space.opsOf(index).slice();
  child[edge] = op;
  return space.indexOf(child);
}
