import { NB201_NUM_EDGES, NB201_OPS, Nb201Op, Nb201Ops } from './types';

/** Number of cells in the space: 5^6. */
export const NB201_SIZE = NB201_OPS.length ** NB201_NUM_EDGES;

/** Source node of each edge e0..e5 (node1 <- e0; node2 <- e1,e2; node3 <- e3,e4,e5). */
export const NB201_EDGE_SOURCE: readonly number[] = [0, 0, 1, 0, 1, 2];
/** Target node of each edge e0..e5. */
export const NB201_EDGE_TARGET: readonly number[] = [1, 2, 2, 3, 3, 3];

const OP_INDEX: ReadonlyMap<string, number> = new Map(NB201_OPS.map((op, i) => [op, i]));

/** Index of an op name in NB201_OPS, or -1. */
export function opIndex(name: string): number {
  return OP_INDEX.get(name) ?? -1;
}

/** Official arch string, e.g. `|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|`. */
export function formatArchStr(ops: Nb201Ops): string {
  const op = (e: number): Nb201Op => NB201_OPS[ops[e]];
  return `|${op(0)}~0|+|${op(1)}~0|${op(2)}~1|+|${op(3)}~0|${op(4)}~1|${op(5)}~2|`;
}

/** Op indices of an official arch string, or null when it is not a well-formed NB201 cell. */
export function parseArchStr(s: string): number[] | null {
  const nodes = s.split('+');
  if (nodes.length !== 3) return null;
  const ops: number[] = [];
  for (let n = 0; n < 3; n++) {
    const node = nodes[n];
    if (!node.startsWith('|') || !node.endsWith('|')) return null;
    const edges = node.slice(1, -1).split('|');
    if (edges.length !== n + 1) return null;
    for (let j = 0; j <= n; j++) {
      const [name, src, extra] = edges[j].split('~');
      if (extra !== undefined || src !== String(j)) return null;
      const k = opIndex(name);
      if (k < 0) return null;
      ops.push(k);
    }
  }
  return ops;
}

/** Six-digit op code (`none=0 .. avg_pool_3x3=4`, edges e0..e5), as in the data's `op_code` column. */
export function opCodeOf(ops: Nb201Ops): string {
  return ops.join('');
}

/** Op indices of a six-digit op code, or null. */
export function parseOpCode(code: string): number[] | null {
  if (!/^[0-4]{6}$/.test(code)) return null;
  return Array.from(code, (c) => c.charCodeAt(0) - 48);
}

/** Dense key 0..15624 of an op tuple (base 5, e0 most significant); -1 when malformed. */
export function opsKey(ops: Nb201Ops): number {
  if (ops.length !== NB201_NUM_EDGES) return -1;
  let k = 0;
  for (let e = 0; e < NB201_NUM_EDGES; e++) {
    const o = ops[e];
    if (!Number.isInteger(o) || o < 0 || o >= NB201_OPS.length) return -1;
    k = k * NB201_OPS.length + o;
  }
  return k;
}
