/**
 * The `elite-space` artefact of NSS: ONE file (artefacts are one file each, stored atomically), the checkpoint
 * container of src/trainer/checkpoint-file.ts (JSON header + float32 arrays, SHA-256 checked) with
 * - in its header the Elite Space document: the Expanded Search Space it was found in (preset, input shape, classes),
 *   the Elite Space (per stage a depth range and a width range), the FLOPs target, and what the supernet was trained on;
 * - as its arrays the trained supernet's shared weights (`p:<name>`) and BN running statistics (`b:<name>`).
 * Written by the `nss-elite-space` task, read by `nss-search`, which evaluates candidates with those weights.
 * Format 1 (plain JSON, no weights; written before the weights were stored) is still read: its search runs without
 * supernet accuracies. Plain TypeScript (no tfjs).
 */
import * as fs from 'node:fs';
import { UnprocessableError, violation } from '../../common/errors';
import { CheckpointCorruptError, decodeCheckpoint, encodeCheckpoint } from '../../trainer/checkpoint-file';
import { ExpandedSearchSpace, NSS_STAGES, NetworkSpace, NssPresetName, expandedSearchSpace } from './science/space';

export const NSS_ELITE_SPACE_FORMAT = 'nss-elite-space/2';
/** The first format: the document as JSON, without the supernet weights. */
export const NSS_ELITE_SPACE_FORMAT_V1 = 'nss-elite-space/1';
/** Media type of the artefact: the checkpoint container (as `model` artefacts). */
export const NSS_ELITE_SPACE_MEDIA_TYPE = 'application/vnd.nas-service.weights';

/** How the supernet whose weights the artefact holds was trained (the nss-elite-space search). */
export interface EliteSupernetInfo {
  epochs: number;
  warmupEpochs: number;
  steps: number;
  batchSize: number;
  /** Images the weights were trained on (the weight half of the training images). */
  trainImages: number;
  dataset: string;
  /** Parameters of the whole supernet (all d_max blocks at w_max channels). */
  params: number;
}

export interface EliteSpaceDocument {
  format: typeof NSS_ELITE_SPACE_FORMAT | typeof NSS_ELITE_SPACE_FORMAT_V1;
  preset: NssPresetName;
  inputShape: [number, number, number];
  numClasses: number;
  /** The FLOPs target it was searched for; null when it was searched for a latency target. */
  targetFlops: number | null;
  /** The latency target (ms, LUT prediction) it was searched for, if any. */
  targetLatencyMs?: number;
  /** Per stage [lo, hi] depths and widths (inclusive). */
  space: NetworkSpace;
  /** Mean FLOPs of its architectures (exact). */
  meanFlops: number;
  dataset: string;
  /** Format 2: the supernet whose weights are the file's arrays. */
  supernet?: EliteSupernetInfo;
}

export interface EliteSpaceFile {
  doc: EliteSpaceDocument;
  space: ExpandedSearchSpace;
  /** The supernet's `p:` / `b:` arrays; null for a format-1 file (no weights stored). */
  weights: Record<string, Float32Array> | null;
}

/** The artefact's bytes: the document in the header, the supernet weights as the arrays. */
export function encodeEliteSpaceFile(doc: Omit<EliteSpaceDocument, 'format'> & { supernet: EliteSupernetInfo }, weights: Record<string, Float32Array>): Buffer {
  return encodeCheckpoint({ meta: { ...doc, format: NSS_ELITE_SPACE_FORMAT } as unknown as Record<string, unknown>, arrays: weights });
}

const isRange = (r: unknown, hi: number): boolean =>
  Array.isArray(r) && r.length === 2 && r.every((v) => Number.isInteger(v)) && (r[0] as number) >= 1 && (r[0] as number) <= (r[1] as number) && (r[1] as number) <= hi;

const notElite = (field: string, why: string): UnprocessableError =>
  new UnprocessableError(`${field}: not a usable NSS Elite Space artefact (${why})`, [violation(field, 'eliteSpace', `must be an elite-space artefact written by nss-elite-space (${why})`)]);

/** Checks an elite-space document (header or format-1 JSON); a 422 naming `field` when it is not one. */
export function checkEliteSpaceDocument(doc: unknown, field: string): { doc: EliteSpaceDocument; space: ExpandedSearchSpace } {
  const d = doc as EliteSpaceDocument;
  if (typeof d !== 'object' || d === null || (d.format !== NSS_ELITE_SPACE_FORMAT && d.format !== NSS_ELITE_SPACE_FORMAT_V1)) {
    throw notElite(field, `format is not ${NSS_ELITE_SPACE_FORMAT}`);
  }
  let s: ExpandedSearchSpace;
  try {
    s = expandedSearchSpace(d.preset, d.inputShape, d.numClasses);
  } catch (e) {
    throw notElite(field, (e as Error).message);
  }
  const sp = d.space;
  if (!sp || !Array.isArray(sp.depths) || !Array.isArray(sp.widths) || sp.depths.length !== NSS_STAGES || sp.widths.length !== NSS_STAGES) throw notElite(field, 'space needs 3 depth and 3 width ranges');
  if (!sp.depths.every((r) => isRange(r, s.dMax)) || !sp.widths.every((r) => isRange(r, s.wMax))) throw notElite(field, 'a range lies outside the Expanded Search Space');
  return { doc: d, space: s };
}

/** Parses a format-1 document (JSON text); a 422 naming `field` when it is not one. */
export function parseEliteSpaceDocument(text: string, field: string): { doc: EliteSpaceDocument; space: ExpandedSearchSpace } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw notElite(field, 'not JSON');
  }
  return checkEliteSpaceDocument(doc, field);
}

/**
 * Reads an elite-space artefact file of either format. A file that cannot be read, a container that is truncated or
 * fails its checksum (corrupt weights), or a header that is not an Elite Space is a 422 naming `field`.
 */
export function readEliteSpaceFile(file: string, field: string): EliteSpaceFile {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw notElite(field, `its file cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (buf.length > 0 && buf[0] === 0x7b /* '{': format 1, JSON */) {
    const parsed = parseEliteSpaceDocument(buf.toString('utf8'), field);
    if (parsed.doc.format !== NSS_ELITE_SPACE_FORMAT_V1) throw notElite(field, `a JSON file must be format ${NSS_ELITE_SPACE_FORMAT_V1}`);
    return { ...parsed, weights: null };
  }
  let c;
  try {
    c = decodeCheckpoint(buf, 'elite-space file');
  } catch (e) {
    if (e instanceof CheckpointCorruptError) throw notElite(field, `its supernet weights are corrupt: ${e.message}`);
    throw e;
  }
  const parsed = checkEliteSpaceDocument(c.meta, field);
  if (parsed.doc.format !== NSS_ELITE_SPACE_FORMAT) throw notElite(field, `a weights file must be format ${NSS_ELITE_SPACE_FORMAT}`);
  const weights: Record<string, Float32Array> = {};
  for (const [k, a] of Object.entries(c.arrays)) {
    if (!(a instanceof Float32Array)) throw notElite(field, `weights array ${k} is not float32`);
    weights[k] = a;
  }
  return { ...parsed, weights };
}
