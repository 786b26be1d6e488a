import { InvalidInputError, violation } from '../../common/errors';
import { Rng } from '../../common/rng';

/** Anything with labels: an ImageSplit or an ImageSource. */
export interface Labelled {
  count: number;
  labels: Uint8Array;
}

/** Disjoint index sets covering 0..count-1, each sorted ascending. */
export interface TrainValidSplit {
  train: Uint32Array;
  valid: Uint32Array;
  /** validFraction and seed it was made with, for the record. */
  validFraction: number;
  seed: number;
}

/**
 * Seeded split of a training set into train and valid, stratified by label: the valid part holds round(N * f) images,
 * shared among the classes by largest remainder of n_c * f (ties: lower class first), and within each class a seeded
 * random choice (one Rng: the classes are shuffled in label order). Returns indices only; no pixel is copied.
 */
export function splitTrainValid(split: Labelled, validFraction: number, seed: number): TrainValidSplit {
  if (typeof validFraction !== 'number' || !(validFraction >= 0 && validFraction < 1)) {
    throw new InvalidInputError(`validFraction must be in [0, 1), got ${validFraction}`, [violation('validFraction', 'range', 'must be >= 0 and < 1')]);
  }
  if (!Number.isSafeInteger(seed)) throw new InvalidInputError(`seed must be a safe integer, got ${seed}`, [violation('seed', 'isInt', 'must be a safe integer')]);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < split.count; i++) {
    const l = split.labels[i];
    let list = byClass.get(l);
    if (!list) byClass.set(l, (list = []));
    list.push(i);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const quota = new Map<number, number>();
  const target = Math.round(split.count * validFraction);
  let given = 0;
  for (const c of classes) {
    const q = Math.floor(byClass.get(c)!.length * validFraction);
    quota.set(c, q);
    given += q;
  }
  const remainder = (c: number): number => byClass.get(c)!.length * validFraction - quota.get(c)!;
  const byRemainder = [...classes].sort((a, b) => remainder(b) - remainder(a) || a - b);
  for (let k = 0; given < target && k < byRemainder.length; k++, given++) quota.set(byRemainder[k], quota.get(byRemainder[k])! + 1);
  if (split.count - target < 1) {
    throw new InvalidInputError(`validFraction ${validFraction} of ${split.count} images leaves no training image`, [
      violation('validFraction', 'leavesTrainImages', 'must leave at least one training image'),
    ]);
  }
  const rng = Rng.fromSeed(seed);
  const isValid = new Uint8Array(split.count);
  for (const c of classes) {
    const members = rng.shuffle(byClass.get(c)!);
    for (let k = 0; k < quota.get(c)!; k++) isValid[members[k]] = 1;
  }
  const valid = new Uint32Array(target);
  const train = new Uint32Array(split.count - target);
  let v = 0;
  let t = 0;
  for (let i = 0; i < split.count; i++) {
    if (isValid[i]) valid[v++] = i;
    else train[t++] = i;
  }
  return { train, valid, validFraction, seed };
}
