import { InvalidInputError, violation } from '../../common/errors';

/** Every index must be an integer in 0..count-1. */
export function checkIndices(indices: ArrayLike<number>, count: number, field: string): void {
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= count) {
      throw new InvalidInputError(`${field}[${k}] = ${i} is not an image index 0..${count - 1}`, [violation(field, 'indexRange', `must be integers 0..${count - 1}`)]);
    }
  }
}

/** An integer option within [min, max]. */
export function checkInt(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidInputError(`${field} must be an integer ${min}..${max}, got ${String(value)}`, [violation(field, 'intRange', `must be an integer ${min}..${max}`)]);
  }
  return value;
}
