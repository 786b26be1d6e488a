import { InvalidInputError, violation } from '../../common/errors';
import type { MacroData } from './table';

/**
 * Index of a key given by a client, or a 400 naming `field`. Keys are 8-character strings of the digits 0-2 (layer 0
 * first: 0 identity, 1 MB3_K3, 2 MB6_K5); numbers are refused since a numeric key would lose its leading zeros.
 */
export function resolveMacroKey(t: MacroData, key: unknown, field: string): number {
  if (typeof key !== 'string') {
    throw new InvalidInputError(`${field}: must be an 8-character key string of digits 0-2`, [violation(field, 'isMacroKey', 'must be a string of 8 digits 0-2')]);
  }
  const i = t.indexOfKey(key);
  if (i < 0) {
    const msg = `${JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}...` : key)} is not a key: 8 digits 0-2 (0 identity, 1 MB3_K3, 2 MB6_K5)`;
    throw new InvalidInputError(`${field}: ${msg}`, [violation(field, 'isMacroKey', msg)]);
  }
  return i;
}
