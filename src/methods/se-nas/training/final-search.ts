/**
 * The search step of a one-shot method: the best child of the final space by supernet accuracy, found by
 * evaluating every arch of a small final space, or by regularised evolution (the benchmark search's algorithm,
 * through its evaluator interface) restricted to the final space when it is large.
 */
import type { ArchConstraint, ArchEvaluator } from '../../../search/common/evaluator';
import { gridSpace } from '../../../search/common/space';
import { CellSearch } from '../../../search/core/cell-search';
import { EVOLUTION_DEFAULTS } from '../../../search/core/evolution';
import { runCellSearch } from '../../../search/core/run';
import { OpSpace, enumerateOpSpace, inOpSpace, opSpaceSize } from '../../../search/spaces/op-space';

export interface EvaluatedChild {
  ops: number[];
  accuracy: number;
}

export interface FinalSearch {
  how: 'exhaustive' | 'evolution';
  spaceSize: number;
  evaluated: EvaluatedChild[];
  best: EvaluatedChild;
}

export async function searchFinalSpace(
  space: OpSpace,
  accuracy: (ops: readonly number[]) => Promise<number>,
  opts: { maxEnumerate: number; queries: number; seed: number },
): Promise<FinalSearch> {
  const size = opSpaceSize(space);
  const evaluated: EvaluatedChild[] = [];
  let how: FinalSearch['how'];
  if (size <= opts.maxEnumerate) {
    how = 'exhaustive';
    for (const ops of enumerateOpSpace(space)) evaluated.push({ ops, accuracy: await accuracy(ops) });
  } else {
    how = 'evolution';
    const grid = gridSpace(space.length, 5);
    const inSpace: ArchConstraint = { field: 'space', description: 'arch in the final space', feasible: (a) => inOpSpace(space, a.ops) };
    const evaluator: ArchEvaluator = {
      description: 'supernet accuracy (inherited weights, BN recalibrated)',
      evaluate: async (a) => {
        const acc = await accuracy(a.ops);
        evaluated.push({ ops: a.ops.slice(), accuracy: acc });
        return acc;
      },
    };
    const search = CellSearch.start({ space: grid, constraint: inSpace }, { name: 'evolution', ...EVOLUTION_DEFAULTS }, Math.min(opts.queries, size), opts.seed);
    await runCellSearch(search, evaluator);
  }
  const best = evaluated.reduce((b, c) => (c.accuracy > b.accuracy ? c : b));
  return { how, spaceSize: size, evaluated, best };
}
