// Option weights: 'transplant' on networks (science/transplant.ts has the rule): the trained weights of a trial are
// kept as named arrays, copied channel-overlap-wise into the next trial's network, and travel through a checkpoint as
// typed arrays beside the JSON state.
import * as tf from '@tensorflow/tfjs-core';
import type { CheckpointArray } from '../../../trainer/checkpoint-file';
import { transplantArray } from '../science/transplant';
import type { ConetNetwork } from './network-spec';

/** One weight array of a trained network. */
export interface CarriedArray {
  shape: number[];
  values: Float32Array;
}

/** Every parameter and buffer (BN running statistics) of a trained network, by variable name. */
export type CarriedWeights = Record<string, CarriedArray>;

/** How much of the next network came from the last trial. */
export interface TransplantCount {
  /** values copied from the last trial */
  copied: number;
  /** values of the new network (parameters and buffers) */
  total: number;
}

/** The current values of every parameter and buffer of `net`. */
export function snapshotWeights(net: ConetNetwork): CarriedWeights {
  const out: CarriedWeights = {};
  for (const { name, variable } of [...net.params, ...net.buffers]) {
    out[name] = { shape: [...variable.shape], values: Float32Array.from(variable.dataSync()) };
  }
  return out;
}

/**
 * Copies the overlapping channels of `carried` into `net` (which holds its fresh initialisation): every variable of
 * `net` with a carried array of the same name and rank gets the overlapping block; the rest keeps its initial values.
 */
export function transplantInto(net: ConetNetwork, carried: CarriedWeights): TransplantCount {
  let copied = 0;
  let total = 0;
  for (const { name, variable } of [...net.params, ...net.buffers]) {
    total += variable.size;
    const src = carried[name];
    if (!src || src.shape.length !== variable.shape.length) continue;
    const r = transplantArray(src.values, src.shape, variable.dataSync(), variable.shape);
    copied += r.copied;
    tf.tidy(() => variable.assign(tf.tensor(r.values, variable.shape, 'float32')));
  }
  return { copied, total };
}

/** The carried weights as checkpoint arrays under `prefix` and their shapes (JSON). */
export function carriedToArrays(c: CarriedWeights, prefix: string): { shapes: Record<string, number[]>; arrays: Record<string, CheckpointArray> } {
  const shapes: Record<string, number[]> = {};
  const arrays: Record<string, CheckpointArray> = {};
  for (const [name, a] of Object.entries(c)) {
    shapes[name] = a.shape;
    arrays[`${prefix}${name}`] = a.values;
  }
  return { shapes, arrays };
}

/** Inverse of carriedToArrays; throws when an array is missing or does not fit its shape (a corrupt checkpoint). */
export function carriedFromArrays(shapes: Record<string, number[]>, arrays: Record<string, CheckpointArray>, prefix: string): CarriedWeights {
  const out: CarriedWeights = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const a = arrays[`${prefix}${name}`];
    const n = shape.reduce((x, y) => x * y, 1);
    if (!(a instanceof Float32Array) || a.length !== n) throw new Error(`carried weights ${name}: missing or not ${n} float32 values`);
    out[name] = { shape, values: a };
  }
  return out;
}
