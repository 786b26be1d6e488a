import { InvalidInputError, NotFoundError, violation } from '../../common/errors';
import { Nb201Data } from './table';
import { NB201_DATASETS, Nb201Dataset, Nb201Epochs, Nb201Split } from './types';

/** A fully specified accuracy metric. */
export interface Nb201Metric {
  dataset: Nb201Dataset;
  split: Nb201Split;
  epochs: Nb201Epochs;
}

export const NB201_EPOCHS: readonly Nb201Epochs[] = [200, 12];
export const NB201_SPLITS: readonly Nb201Split[] = ['test', 'valid'];

/** Default split: `valid` for cifar10-valid (its only split in the tables), `test` otherwise. */
export function defaultSplit(dataset: Nb201Dataset): Nb201Split {
  return dataset === 'cifar10-valid' ? 'valid' : 'test';
}

export function isNb201Dataset(v: unknown): v is Nb201Dataset {
  return typeof v === 'string' && (NB201_DATASETS as readonly string[]).includes(v);
}

/** Resolve defaults and check that the tables hold the metric; 400 naming `split`/`epochs` otherwise. */
export function resolveMetric(
  table: Nb201Data,
  dataset: Nb201Dataset,
  split: Nb201Split | undefined,
  epochs: Nb201Epochs | undefined,
  prefix = '',
): Nb201Metric {
  const m: Nb201Metric = { dataset, split: split ?? defaultSplit(dataset), epochs: epochs ?? 200 };
  if (!table.hasAccuracy(m.dataset, m.split, m.epochs)) {
    const have = table.accuracyMetrics
      .filter((a) => a.dataset === dataset)
      .map((a) => `${a.split}@${a.epochs}`)
      .join(', ');
    throw new InvalidInputError(`NB201 has no ${m.split} accuracy at ${m.epochs} epochs for ${dataset} (available: ${have})`, [
      violation(`${prefix}split`, 'available', `${dataset} has ${have}`),
    ]);
  }
  return m;
}

/** Check a HELP device name; 400 naming `field` with the known devices otherwise. */
export function resolveDevice(table: Nb201Data, device: string | undefined, field: string, required: boolean): string | undefined {
  if (device === undefined) {
    if (required) throw new InvalidInputError(`${field} is required`, [violation(field, 'required', `name one of: ${table.devices.join(', ')}`)]);
    return undefined;
  }
  if (!table.hasDevice(device)) {
    throw new InvalidInputError(`unknown latency device "${device}"`, [violation(field, 'isIn', `${field} must be one of: ${table.devices.join(', ')}`)]);
  }
  return device;
}

/**
 * Index of an architecture key: an index (integer 0..15624 or its decimal string), a six-digit op code
 * (`none=0 .. avg_pool_3x3=4`), or an official arch string. 400 for malformed keys, 404 for indices out of range.
 */
export function resolveArchKey(table: Nb201Data, key: unknown, field: string): number {
  if (typeof key === 'number') {
    if (!Number.isInteger(key)) throw new InvalidInputError(`${field} must be an integer index or an arch string`, [violation(field, 'isArchKey', 'not an integer')]);
    return checkIndex(table, key, field);
  }
  if (typeof key !== 'string') {
    throw new InvalidInputError(`${field} must be an index, a six-digit op code or an NB201 arch string`, [
      violation(field, 'isArchKey', `got ${key === null ? 'null' : typeof key}`),
    ]);
  }
  if (/^\d{1,5}$/.test(key)) return checkIndex(table, Number(key), field);
  if (/^\d{6}$/.test(key)) {
    const i = table.indexOfOpCode(key);
    if (i < 0) throw new InvalidInputError(`${field}: op code "${key}" has digits outside 0..4`, [violation(field, 'isArchKey', 'op code digits must be 0..4')]);
    return i;
  }
  const i = table.indexOfArchStr(key);
  if (i < 0) {
    throw new InvalidInputError(`${field}: "${key.slice(0, 120)}" is not an NB201 index, op code or arch string`, [
      violation(field, 'isArchKey', 'expected e.g. 6111, 334131 or |nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|'),
    ]);
  }
  return i;
}

function checkIndex(table: Nb201Data, i: number, field: string): number {
  if (i < 0 || i >= table.size) {
    throw new NotFoundError(`no NB201 architecture with index ${i} (indices are 0..${table.size - 1})`, [
      violation(field, 'range', `index must be in 0..${table.size - 1}`),
    ]);
  }
  return i;
}
