/**
 * The `elite-space` artefact of NSS: a JSON document with the Expanded Search Space it was found in (preset, input
 * shape, classes) and the Elite Space (per stage a depth range and a width range), with the FLOPs target it was
 * searched for. Written by the `nss-elite-space` task, read by `nss-search`. Plain TypeScript (no tfjs).
 */
import { UnprocessableError, violation } from '../../common/errors';
import { ExpandedSearchSpace, NSS_STAGES, NetworkSpace, NssPresetName, expandedSearchSpace } from './science/space';

export const NSS_ELITE_SPACE_FORMAT = 'nss-elite-space/1';
export const NSS_ELITE_SPACE_MEDIA_TYPE = 'application/json';

export interface EliteSpaceDocument {
  format: typeof NSS_ELITE_SPACE_FORMAT;
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
}

const isRange = (r: unknown, hi: number): boolean =>
  Array.isArray(r) && r.length === 2 && r.every((v) => Number.isInteger(v)) && (r[0] as number) >= 1 && (r[0] as number) <= (r[1] as number) && (r[1] as number) <= hi;

/** Parses and checks an elite-space document; a 422 naming `field` when it is not one. */
export function parseEliteSpaceDocument(text: string, field: string): { doc: EliteSpaceDocument; space: ExpandedSearchSpace } {
  const bad = (why: string): never => {
    throw new UnprocessableError(`${field}: not an NSS Elite Space artefact (${why})`, [violation(field, 'eliteSpace', `must be an elite-space artefact written by nss-elite-space (${why})`)]);
  };
  let doc: EliteSpaceDocument;
  try {
    doc = JSON.parse(text) as EliteSpaceDocument;
  } catch {
    return bad('not JSON');
  }
  if (typeof doc !== 'object' || doc === null || doc.format !== NSS_ELITE_SPACE_FORMAT) return bad(`format is not ${NSS_ELITE_SPACE_FORMAT}`);
  let s: ExpandedSearchSpace;
  try {
    s = expandedSearchSpace(doc.preset, doc.inputShape, doc.numClasses);
  } catch (e) {
    return bad((e as Error).message);
  }
  const sp = doc.space;
  if (!sp || !Array.isArray(sp.depths) || !Array.isArray(sp.widths) || sp.depths.length !== NSS_STAGES || sp.widths.length !== NSS_STAGES) return bad('space needs 3 depth and 3 width ranges');
  if (!sp.depths.every((r) => isRange(r, s.dMax)) || !sp.widths.every((r) => isRange(r, s.wMax))) return bad('a range lies outside the Expanded Search Space');
  return { doc, space: s };
}
