/**
 * Latency look-up tables (LUT): the predicted latency of a network is the sum of the measured latencies of its
 * units (blocks or layers), each measured alone on the service's inference backend at batch 1 (ProxylessNAS /
 * FBNet / OFA practice; ScaleNet's "latency budget", NSS's latency target, CONet's latency target).
 * A unit is a small typed description: an MBConv block (ScaleNet), a basic residual block (NSS's "residual-block
 * equivalent"), a conv + BN + activation (stems, heads), a classifier head (global pool + linear), or one layer of
 * the cost counter's layer-spec language (CONet's per-layer keys from `LayerInstance`). Its canonical key is what
 * the table is keyed by. Pure TypeScript: no tensors here (the measurement lives in src/trainer/latency).
 */
import type { LayerInstance } from './counter';
import { LayerSpec, Shape, layerCost } from './layers';

export type LatencyActivation = 'relu' | 'relu6' | 'swish' | 'none';

/** MBConv: [1x1 expand + BN + act], k x k depthwise + BN + act, [SE: pool, 1x1 reduce (bias) + act, 1x1 expand (bias) + sigmoid, rescale], 1x1 project + BN, [+ input]. */
export interface MbconvUnit {
  kind: 'mbconv';
  input: Shape;
  cout: number;
  /** Expand rate e (hidden = e x input channels; 1 = no expand conv). */
  expand: number;
  kernel: number;
  stride: 1 | 2;
  /** SE squeeze channels; 0 = no SE. */
  se: number;
  activation: LatencyActivation;
  /** Identity shortcut (stride 1 and cin == cout). */
  residual: boolean;
}

/** Basic residual block (ResNet): 3x3 conv(stride) + BN + ReLU, 3x3 conv + BN, shortcut (identity or 1x1 conv(stride) + BN), add, ReLU. */
export interface ResBlockUnit {
  kind: 'resblock';
  input: Shape;
  cout: number;
  stride: 1 | 2;
  projection: boolean;
}

/** One convolution with optional BN and activation (padding k // 2): stems and head convs. */
export interface ConvUnit {
  kind: 'conv';
  input: Shape;
  cout: number;
  kernel: number;
  stride: 1 | 2;
  groups: number;
  bn: boolean;
  activation: LatencyActivation;
}

/** Classifier head: global average pool + fully connected layer with bias. */
export interface ClassifierUnit {
  kind: 'classifier';
  input: Shape;
  classes: number;
}

/** One layer of the cost counter's language at its input shape (CONet: per-layer keys of a `LayerInstance` list). */
export interface LayerUnit {
  kind: 'layer';
  input: Shape;
  spec: LayerSpec;
}

export type LatencyUnit = MbconvUnit | ResBlockUnit | ConvUnit | ClassifierUnit | LayerUnit;

/** How a table was measured (recorded with it and quoted in results). */
export interface LatencyMeasurement {
  /** Warm-up runs per unit (not timed). */
  warmup: number;
  /** Timed runs per unit; the entry is their median. */
  runs: number;
  statistic: 'median';
  batchSize: 1;
  /** What one timed run covers. */
  timer: string;
}

export const LATENCY_TABLE_FORMAT = 'latency-table/1';

/** A latency look-up table: median milliseconds per unit key, on one backend of one machine. */
export interface LatencyTable {
  format: typeof LATENCY_TABLE_FORMAT;
  /** Which search space / preset the keys were enumerated from (e.g. `scalenet:small:3x32x32:10`). */
  space: string;
  /** TensorFlow.js backend the units were timed on (`wasm`, `tensorflow`, `webgpu`, `cpu`). */
  backend: string;
  /** Threads of the backend (wasm's thread pool), null when the backend does not say. */
  threads: number | null;
  /** Input [height, width, channels] of the space's base networks. */
  inputShape: [number, number, number];
  /** CPU model x count and host of the measuring machine. */
  machine: string;
  measurement: LatencyMeasurement;
  builtAt: string;
  /** Wall-clock seconds the build took. */
  buildSeconds: number;
  /**
   * Fixed cost of one timed run (batch-1 input in, output read back, dispatch), measured on an identity unit at the
   * space's input shape: every entry includes it once, a whole network pays it once, so a prediction is
   * overheadMs + sum(entry - overheadMs). Absent: 0.
   */
  overheadMs?: number;
  /** The same for cpuEntries. */
  cpuOverheadMs?: number;
  /** 1-minute load average of the machine when the build started and ended (timings on a busy CPU run long). */
  loadAvg1m?: [number, number];
  /** Unit key -> median latency in ms (wall clock): what predictions use. */
  entries: Record<string, number>;
  /**
   * Unit key -> median process CPU time in ms of the same runs (user + system): for comparison on a shared CPU, where
   * other processes stretch wall time; on an idle machine and a single-threaded backend it equals the wall time.
   */
  cpuEntries?: Record<string, number>;
}

/** A unit of a network has no entry in the table (the table was built for another space or preset). */
export class MissingLatencyEntryError extends Error {
  constructor(
    readonly key: string,
    readonly space: string,
  ) {
    super(`latency table ${space} has no entry for unit ${key}`);
    this.name = 'MissingLatencyEntryError';
  }
}

const shapeKey = (s: Shape): string => `${s.c}x${s.h}x${s.w}`;
const pairKey = (p: number | readonly [number, number] | undefined, fallback: number): string =>
  p === undefined ? `${fallback}` : typeof p === 'number' ? `${p}` : p[0] === p[1] ? `${p[0]}` : `${p[0]}x${p[1]}`;

/** Canonical text of a layer spec: every field (defaults filled in) in a fixed order. */
export function layerSpecKey(spec: LayerSpec): string {
  switch (spec.kind) {
    case 'conv2d':
      return `conv2d(${spec.inChannels}>${spec.outChannels},k${pairKey(spec.kernel, 1)},s${pairKey(spec.stride, 1)},p${pairKey(spec.padding, 0)},d${pairKey(spec.dilation, 1)},g${spec.groups ?? 1},b${spec.bias ? 1 : 0})`;
    case 'linear':
      return `linear(${spec.inFeatures}>${spec.outFeatures},b${spec.bias === false ? 0 : 1})`;
    case 'batchnorm2d':
      return `bn(${spec.channels},a${spec.affine === false ? 0 : 1})`;
    case 'avgpool2d':
    case 'maxpool2d':
      return `${spec.kind}(k${pairKey(spec.kernel, 1)},s${pairKey(spec.stride ?? spec.kernel, 1)},p${pairKey(spec.padding, 0)})`;
    case 'add':
      return `add(${spec.inputs})`;
    case 'globalavgpool':
    case 'relu':
    case 'identity':
    case 'zero':
    case 'flatten':
      return spec.kind;
  }
}

/** The canonical key of a unit: equal units (whatever their field order) have equal keys; any difference changes it. */
export function unitKey(u: LatencyUnit): string {
  const at = shapeKey(u.input);
  switch (u.kind) {
    case 'mbconv':
      return `mbconv@${at}>${u.cout},e${u.expand},k${u.kernel},s${u.stride},se${u.se},${u.activation},r${u.residual ? 1 : 0}`;
    case 'resblock':
      return `resblock@${at}>${u.cout},s${u.stride},p${u.projection ? 1 : 0}`;
    case 'conv':
      return `conv@${at}>${u.cout},k${u.kernel},s${u.stride},g${u.groups},bn${u.bn ? 1 : 0},${u.activation}`;
    case 'classifier':
      return `classifier@${at}>${u.classes}`;
    case 'layer':
      return `layer@${at}:${layerSpecKey(u.spec)}`;
  }
}

/** Output shape of a unit (for chaining units into a whole network). */
export function unitOutput(u: LatencyUnit): Shape {
  const down = (n: number, s: number): number => Math.ceil(n / s);
  switch (u.kind) {
    case 'mbconv':
    case 'resblock':
    case 'conv':
      return { c: u.cout, h: down(u.input.h, u.stride), w: down(u.input.w, u.stride) };
    case 'classifier':
      return { c: u.classes, h: 1, w: 1 };
    case 'layer':
      return layerCost(u.spec, u.input).output;
  }
}

/** Per-layer units of a cost-counter layer list (CONet). */
export function layerUnits(layers: Iterable<LayerInstance>): LayerUnit[] {
  return [...layers].map((l) => ({ kind: 'layer', input: l.input, spec: l.spec }));
}

/** The distinct units of a list (first occurrence kept, in order). */
export function distinctUnits(units: Iterable<LatencyUnit>): LatencyUnit[] {
  const seen = new Map<string, LatencyUnit>();
  for (const u of units) {
    const k = unitKey(u);
    if (!seen.has(k)) seen.set(k, u);
  }
  return [...seen.values()];
}

/** The table's entry for one unit; MissingLatencyEntryError when there is none. */
export function unitLatencyMs(table: Pick<LatencyTable, 'entries' | 'space'>, u: LatencyUnit): number {
  const key = unitKey(u);
  const v = Object.prototype.hasOwnProperty.call(table.entries, key) ? table.entries[key] : undefined;
  if (v === undefined) throw new MissingLatencyEntryError(key, table.space);
  return v;
}

/**
 * A unit's own latency (ms): its entry less the table's fixed per-run cost (overheadMs), never below 0 (a unit timed
 * faster than the empty run, e.g. a tiny layer within timer noise, contributes nothing rather than negative time).
 */
export function unitOwnLatencyMs(table: Pick<LatencyTable, 'entries' | 'space' | 'overheadMs'>, u: LatencyUnit): number {
  return Math.max(0, unitLatencyMs(table, u) - (table.overheadMs ?? 0));
}

/**
 * LUT prediction of a network's latency (ms): the fixed per-run cost counted once plus its units' own latencies
 * (overheadMs + sum(max(0, entry - overheadMs)); without an overhead, the plain sum). An empty network is 0.
 */
export function predictLatencyMs(table: Pick<LatencyTable, 'entries' | 'space' | 'overheadMs'>, units: Iterable<LatencyUnit>): number {
  let ms = 0;
  let n = 0;
  for (const u of units) {
    ms += unitOwnLatencyMs(table, u);
    n++;
  }
  return n === 0 ? 0 : ms + (table.overheadMs ?? 0);
}

/** Keys of `units` the table lacks (distinct, in order). */
export function missingKeys(table: Pick<LatencyTable, 'entries'>, units: Iterable<LatencyUnit>): string[] {
  return distinctUnits(units)
    .map(unitKey)
    .filter((k) => !Object.prototype.hasOwnProperty.call(table.entries, k));
}

/** Checks the shape of a parsed table file; throws RangeError naming the first bad field. */
export function parseLatencyTable(raw: unknown): LatencyTable {
  const t = raw as Partial<LatencyTable> | null;
  if (!t || typeof t !== 'object') throw new RangeError('latency table: not an object');
  if (t.format !== LATENCY_TABLE_FORMAT) throw new RangeError(`latency table: format must be ${LATENCY_TABLE_FORMAT}, got ${JSON.stringify(t.format)}`);
  for (const f of ['space', 'backend', 'machine', 'builtAt'] as const) if (typeof t[f] !== 'string') throw new RangeError(`latency table: ${f} must be a string`);
  if (!t.entries || typeof t.entries !== 'object') throw new RangeError('latency table: entries must be an object');
  for (const [k, v] of Object.entries(t.entries)) if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`latency table: entries[${k}] must be a finite number >= 0`);
  return t as LatencyTable;
}

/** The sentence a result quotes: what the latency figure is and where it was measured. */
export function latencyProvenance(table: Pick<LatencyTable, 'backend' | 'threads' | 'machine' | 'measurement' | 'space'>): string {
  const th = table.threads === null ? '' : `, ${table.threads} thread(s)`;
  return (
    `LUT prediction: sum of per-unit medians, the fixed per-run cost counted once (${table.measurement.runs} runs after ${table.measurement.warmup} warm-up, batch ${table.measurement.batchSize}) ` +
    `measured on the TensorFlow.js ${table.backend} backend${th} of ${table.machine}; table ${table.space}`
  );
}

/** What a result says about the table behind its latency figures. */
export interface LatencyTableSummary {
  backend: string;
  threads: number | null;
  machine: string;
  space: string;
  entries: number;
  measurement: LatencyMeasurement;
  /** The "LUT prediction: ..." sentence (latencyProvenance). */
  provenance: string;
}

export function latencyTableSummary(table: LatencyTable): LatencyTableSummary {
  const { backend, threads, machine, space, measurement } = table;
  return { backend, threads, machine, space, entries: Object.keys(table.entries).length, measurement, provenance: latencyProvenance(table) };
}
