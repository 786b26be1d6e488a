import { NB201_NUM_EDGES, NB201_OPS, Nb201Table } from '../../benchmarks/nb201/types';
import type { CellSearchSpace } from '../common/space';

const spaces = new WeakMap<Nb201Table, CellSearchSpace>();

/**
 * The NB201 cell space (6 edges x 5 ops) with the official NB201 index. Exposes only the arch encoding of the
 * table: the algorithms get no accuracies or costs through it.
 */
export function nb201Space(table: Nb201Table): CellSearchSpace {
  let s = spaces.get(table);
  if (s) return s;
  s = {
    size: table.size,
    numEdges: NB201_NUM_EDGES,
    numOps: NB201_OPS.length,
    opsOf: (index: number) => table.ops(index),
    indexOf: (ops: readonly number[]) => {
      const i = table.indexOfOps(ops);
      if (i < 0) throw new RangeError(`ops [${ops.join(',')}] are not an NB201 arch`);
      return i;
    },
  };
  spaces.set(table, s);
  return s;
}
