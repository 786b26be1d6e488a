/**
 * One source for a numeric field's limits and default: a method's job ring declares them once (job/limits.ts), the
 * spec DTO's decorators (src/common/limit.decorators.ts) and the trainer/pool task's input parser
 * (src/trainer/tasks/input-checks.ts) both read them, so the API and the task cannot drift apart. Plain TypeScript.
 */
export interface NumberLimit {
  /** Integers only. */
  readonly int?: boolean;
  readonly min?: number;
  /** Greater than this (e.g. 0 for a learning rate). */
  readonly exclusiveMin?: number;
  readonly max?: number;
  /** Value when the field is left out (an optional field); none = required. */
  readonly default?: number;
}

/** Declares a table of limits, keeping each entry's literal type. */
export function limits<T extends Record<string, NumberLimit>>(table: T): T {
  return table;
}
