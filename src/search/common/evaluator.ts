/**
 * What a search may learn about an arch: its score from an evaluator and whether it is feasible under the cost
 * constraints. Nothing else reaches the algorithms, so ground truth used for reporting never leaks into the search.
 */

/** One arch as the evaluator receives it. */
export interface ArchRef {
  readonly index: number;
  readonly ops: readonly number[];
}

/**
 * Scores archs; higher is better. Implementations: benchmark lookup (NB201 table), later supernet or trained
 * accuracy. A slow evaluator may return a promise; the search loop awaits it only then.
 */
export interface ArchEvaluator {
  /** Human-readable description of what the score is, e.g. `cifar10-valid valid accuracy (%) after 200 epochs`. */
  readonly description: string;
  evaluate(arch: ArchRef): number | Promise<number>;
}

/**
 * A feasibility predicate over archs computed from a cost source (FLOPs/params model, latency table, predictor).
 * Checking it is not an evaluation: infeasible archs are skipped without a query.
 */
export interface ArchConstraint {
  /** Spec field the constraint comes from, e.g. `constraints.maxFlopsM`. */
  readonly field: string;
  /** Human-readable rule, e.g. `FLOPs <= 100 M (cifar10)`. */
  readonly description: string;
  feasible(arch: ArchRef): boolean;
}

/** Conjunction of constraints (all must hold); an empty list accepts every arch. */
export function allOf(constraints: readonly ArchConstraint[]): ArchConstraint {
  return {
    field: constraints.map((c) => c.field).join(', '),
    description: constraints.length ? constraints.map((c) => c.description).join(' and ') : 'none',
    feasible: (arch) => constraints.every((c) => c.feasible(arch)),
  };
}
