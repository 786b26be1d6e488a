import { InvalidInputError, violation } from '../common/errors';

/** A 400 naming one field of a benchmark request. */
export function badField(field: string, rule: string, message: string): InvalidInputError {
  return new InvalidInputError(`${field}: ${message}`, [violation(field, rule, message)]);
}

/**
 * Reads the `pairs` of a correlation request ({arch, score} objects): each arch resolved to a table index by
 * `resolve` (which throws a 4xx naming the field), scores finite, no arch twice (`describe` words the duplicate). Returns indices and scores in order.
 */
export function readScorePairs(
  pairs: readonly unknown[],
  tableSize: number,
  resolve: (arch: unknown, field: string) => number,
  describe: (index: number) => string,
): { indices: number[]; scores: Float64Array } {
  const n = pairs.length;
  const indices = new Array<number>(n);
  const scores = new Float64Array(n);
  const seen = new Int32Array(tableSize).fill(-1);
  for (let j = 0; j < n; j++) {
    const p = pairs[j];
    const field = `pairs[${j}]`;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) throw badField(field, 'isObject', 'must be an object {arch, score}');
    const extra = Object.keys(p).filter((k) => k !== 'arch' && k !== 'score');
    if (extra.length) throw badField(`${field}.${extra[0]}`, 'whitelist', `property ${extra[0]} should not exist`);
    const { arch, score } = p as { arch?: unknown; score?: unknown };
    if (arch === undefined) throw badField(`${field}.arch`, 'required', 'arch is required');
    const i = resolve(arch, `${field}.arch`);
    if (typeof score !== 'number' || !Number.isFinite(score)) throw badField(`${field}.score`, 'isFinite', 'score must be a finite number');
    if (seen[i] >= 0) throw badField(`${field}.arch`, 'unique', `duplicate ${describe(i)} already given at pairs[${seen[i]}]`);
    seen[i] = j;
    indices[j] = i;
    scores[j] = score;
  }
  return { indices, scores };
}
