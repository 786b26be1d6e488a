/**
 * Averages of network weights: the mean of K snapshots (SE-NAS evaluation stability, Hu et al. 2021, Eq. 4) and an
 * exponential moving average (Polyak averaging, as in EfficientNet/OFA training). Both hold float32 host copies and
 * swap them into the network only for the duration of a call (`withWeights`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedVariable } from './network';

export type WeightValues = Map<string, Float32Array>;

/** Current values of `vars`, keyed by name. */
export function readWeights(vars: readonly NamedVariable[]): WeightValues {
  return new Map(vars.map((v) => [v.name, Float32Array.from(v.variable.dataSync())]));
}

/** Assigns `values` to the variables of the same name (variables without a value are left alone). */
export function writeWeights(vars: readonly NamedVariable[], values: WeightValues): void {
  for (const v of vars) {
    const a = values.get(v.name);
    if (a) v.variable.assign(tf.tensor(a, v.variable.shape, 'float32'));
  }
}

/** Runs `fn` with `values` swapped into `vars`, restoring the previous values afterwards (also on throw). */
export async function withWeights<T>(vars: readonly NamedVariable[], values: WeightValues, fn: () => Promise<T> | T): Promise<T> {
  const saved = readWeights(vars.filter((v) => values.has(v.name)));
  writeWeights(vars, values);
  try {
    return await fn();
  } finally {
    writeWeights(vars, saved);
  }
}

/** w_bar = (1/K) sum_k w_k over the snapshots taken (SE-NAS Eq. 4); variables created after the first snapshot count from theirs. */
export class SnapshotAverage {
  private readonly sums = new Map<string, Float64Array>();
  private readonly counts = new Map<string, number>();

  add(vars: readonly NamedVariable[]): void {
    for (const v of vars) {
      const a = v.variable.dataSync();
      let s = this.sums.get(v.name);
      if (!s) this.sums.set(v.name, (s = new Float64Array(a.length)));
      for (let i = 0; i < a.length; i++) s[i] += a[i];
      this.counts.set(v.name, (this.counts.get(v.name) ?? 0) + 1);
    }
  }

  /** Number of snapshots of the variable seen most often. */
  get size(): number {
    return Math.max(0, ...this.counts.values());
  }

  /** Sums and snapshot counts, for a checkpoint. */
  export(): { sums: Record<string, Float64Array>; counts: Record<string, number> } {
    return { sums: Object.fromEntries(this.sums), counts: Object.fromEntries(this.counts) };
  }

  /** Restores export()'s output. */
  static restore(sums: Record<string, Float64Array>, counts: Record<string, number>): SnapshotAverage {
    const a = new SnapshotAverage();
    for (const [name, s] of Object.entries(sums)) {
      if (!(s instanceof Float64Array) || !Number.isInteger(counts[name])) throw new RangeError(`snapshot sum ${name} is malformed`);
      a.sums.set(name, Float64Array.from(s));
      a.counts.set(name, counts[name]);
    }
    return a;
  }

  mean(): WeightValues {
    const out: WeightValues = new Map();
    for (const [name, s] of this.sums) {
      const k = this.counts.get(name) ?? 1;
      out.set(name, Float32Array.from(s, (x) => x / k));
    }
    return out;
  }
}

/** Exponential moving average ema = d ema + (1 - d) w, updated after optimiser steps. */
export class WeightEma {
  private readonly values: WeightValues = new Map();

  constructor(readonly decay: number) {
    if (!(decay > 0 && decay < 1)) throw new RangeError(`EMA decay must be in (0, 1), got ${decay}`);
  }

  update(vars: readonly NamedVariable[]): void {
    const d = this.decay;
    for (const v of vars) {
      const a = v.variable.dataSync();
      const e = this.values.get(v.name);
      if (!e) {
        this.values.set(v.name, Float32Array.from(a));
        continue;
      }
      for (let i = 0; i < a.length; i++) e[i] = d * e[i] + (1 - d) * a[i];
    }
  }

  weights(): WeightValues {
    return this.values;
  }

  /** Replaces the averages with checkpointed ones. */
  restore(values: Record<string, Float32Array>): void {
    this.values.clear();
    for (const [k, v] of Object.entries(values)) this.values.set(k, Float32Array.from(v));
  }
}

/** The entries of `arrays` whose key starts with `prefix`, with the prefix removed. */
export function prefixed(arrays: Record<string, ArrayLike<number>>, prefix: string): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(arrays)) if (k.startsWith(prefix) && v instanceof Float32Array) out[k.slice(prefix.length)] = v;
  return out;
}
