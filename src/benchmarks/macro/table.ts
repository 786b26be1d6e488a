import { MACRO_SIZE, MacroSearchSpace, macroKeyOf, macroSpace } from '../../search/spaces/macro';
import { MACRO_RUNS, MacroRawRecord } from './types';

/**
 * In-memory NAS-Bench-Macro: typed-array columns indexed by the key read as a base-3 number (0..6560), and the
 * grouping of the 6,561 keys into the networks they denote (network id 0..3968 in order of first key).
 */
export class MacroData {
  readonly size = MACRO_SIZE;
  /** Number of distinct networks (3,969). */
  readonly networkCount: number;
  readonly space: MacroSearchSpace;

  private readonly runs: Float64Array;
  private readonly meanCol: Float64Array;
  private readonly stdCol: Float64Array;
  private readonly paramsCol: Float64Array;
  private readonly flopsCol: Float64Array;
  private readonly networkOf: Int32Array;
  private readonly members: number[][];
  private readonly representatives: Int32Array;

  /** `records` maps every 8-digit key to its raw record; all 6,561 keys must be present and well-formed. */
  constructor(records: Readonly<Record<string, MacroRawRecord>>, source = 'NAS-Bench-Macro table') {
    this.space = macroSpace();
    const keys = Object.keys(records);
    if (keys.length !== MACRO_SIZE) throw new Error(`${source}: expected ${MACRO_SIZE} keys, got ${keys.length}`);
    this.runs = new Float64Array(MACRO_SIZE * MACRO_RUNS);
    this.meanCol = new Float64Array(MACRO_SIZE);
    this.stdCol = new Float64Array(MACRO_SIZE);
    this.paramsCol = new Float64Array(MACRO_SIZE);
    this.flopsCol = new Float64Array(MACRO_SIZE);
    for (let i = 0; i < MACRO_SIZE; i++) {
      const key = macroKeyOf(i);
      const r = records[key];
      if (!r) throw new Error(`${source}: key ${key} is missing`);
      if (!Array.isArray(r.test_acc) || r.test_acc.length !== MACRO_RUNS || !r.test_acc.every(Number.isFinite)) {
        throw new Error(`${source}: key ${key} needs ${MACRO_RUNS} finite test accuracies`);
      }
      for (const [field, v] of [['mean_acc', r.mean_acc], ['std', r.std], ['params', r.params], ['flops', r.flops]] as const) {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${source}: key ${key} has a non-finite ${field}`);
      }
      this.runs.set(r.test_acc, i * MACRO_RUNS);
      this.meanCol[i] = r.mean_acc;
      this.stdCol[i] = r.std;
      this.paramsCol[i] = r.params;
      this.flopsCol[i] = r.flops;
    }
    // networks: one per canonical key (identities of the stride-1 layers moved to the end of their stage)
    this.networkOf = new Int32Array(MACRO_SIZE);
    const idOfCanonical = new Map<number, number>();
    this.members = [];
    const reps: number[] = [];
    for (let i = 0; i < MACRO_SIZE; i++) {
      const c = this.space.canonicalIndex(i);
      let id = idOfCanonical.get(c);
      if (id === undefined) {
        id = this.members.length;
        idOfCanonical.set(c, id);
        this.members.push([]);
        reps.push(c);
      }
      this.networkOf[i] = id;
      this.members[id].push(i);
    }
    this.networkCount = this.members.length;
    this.representatives = Int32Array.from(reps);
  }

  keyOf(index: number): string {
    return macroKeyOf(index);
  }

  /** Index of a key, or -1 when it is malformed. */
  indexOfKey(key: string): number {
    return /^[012]{8}$/.test(key) ? parseInt(key, 3) : -1;
  }

  ops(index: number): readonly number[] {
    return this.space.opsOf(index);
  }

  /** The three per-run test accuracies (%). */
  testAccuracies(index: number): number[] {
    this.check(index);
    return Array.from(this.runs.subarray(index * MACRO_RUNS, (index + 1) * MACRO_RUNS));
  }

  meanAccuracy(index: number): number {
    this.check(index);
    return this.meanCol[index];
  }

  std(index: number): number {
    this.check(index);
    return this.stdCol[index];
  }

  params(index: number): number {
    this.check(index);
    return this.paramsCol[index];
  }

  flops(index: number): number {
    this.check(index);
    return this.flopsCol[index];
  }

  /** Whole columns by index (do not mutate). */
  meanAccuracyColumn(): Float64Array {
    return this.meanCol;
  }
  paramsColumn(): Float64Array {
    return this.paramsCol;
  }
  flopsColumn(): Float64Array {
    return this.flopsCol;
  }

  /** Network id (0..networkCount-1) of a key. */
  network(index: number): number {
    this.check(index);
    return this.networkOf[index];
  }

  /** Index of the network's canonical key. */
  networkRepresentative(id: number): number {
    const r = this.representatives[id];
    if (r === undefined) throw new RangeError(`network ${id} out of range 0..${this.networkCount - 1}`);
    return r;
  }

  /** Canonical key indices of all networks, by network id (do not mutate). */
  representativeIndices(): Int32Array {
    return this.representatives;
  }

  /** All keys (indices, ascending) of a network. */
  networkMembers(id: number): readonly number[] {
    const m = this.members[id];
    if (m === undefined) throw new RangeError(`network ${id} out of range 0..${this.networkCount - 1}`);
    return m;
  }

  private check(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) throw new RangeError(`macro index ${index} out of range 0..${this.size - 1}`);
  }
}
