import type { ArchEvaluator } from '../common/evaluator';
import type { CellSearch } from './cell-search';

/** Called after every query (tell); a safe point to snapshot() the search. May be async. */
export type AfterQueryHook = (search: CellSearch) => void | Promise<void>;

/**
 * Drive an ask/tell search to the end with an evaluator. A synchronous evaluator (table lookup) keeps the loop
 * synchronous (no await per query); an async one (training, supernet) is awaited.
 */
export async function runCellSearch(search: CellSearch, evaluator: ArchEvaluator, afterQuery?: AfterQueryHook): Promise<void> {
  for (let arch = search.ask(); arch !== null; arch = search.ask()) {
    const r = evaluator.evaluate(arch);
    search.tell(arch.index, typeof r === 'number' ? r : await r);
    if (afterQuery) {
      const h = afterQuery(search);
      if (h !== undefined) await h;
    }
  }
}

/** Same as runCellSearch for evaluators that answer synchronously; throws if one returns a promise. */
export function runCellSearchSync(search: CellSearch, evaluator: ArchEvaluator, afterQuery?: (search: CellSearch) => void): void {
  for (let arch = search.ask(); arch !== null; arch = search.ask()) {
    const r = evaluator.evaluate(arch);
    if (typeof r !== 'number') throw new TypeError(`runCellSearchSync needs a synchronous evaluator (${evaluator.description})`);
    search.tell(arch.index, r);
    afterQuery?.(search);
  }
}
