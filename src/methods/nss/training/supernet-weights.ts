/**
 * The shared weights of an NSS supernet as named arrays (`p:<param>`, `b:<BN buffer>`; no optimiser state), for the
 * `elite-space` artefact (../elite-space-file.ts), and loading them back into a supernet of the same Expanded Search
 * Space. Loading checks every tensor before assigning any.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UnprocessableError, violation } from '../../../common/errors';
import type { NssSupernet } from './supernet';

export function supernetWeights(net: NssSupernet): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const p of net.params) out[`p:${p.name}`] = Float32Array.from(p.variable.dataSync());
  for (const b of net.buffers) out[`b:${b.name}`] = Float32Array.from(b.variable.dataSync());
  return out;
}

/**
 * Assigns `weights` to `net`; a 422 naming `field` (nothing assigned) when a tensor of the supernet is missing or
 * has the wrong size, or the file holds tensors the supernet does not have (another space).
 */
export function loadSupernetWeights(net: NssSupernet, weights: Record<string, Float32Array>, field: string): void {
  const vars = [...net.params.map((p) => [`p:${p.name}`, p.variable] as const), ...net.buffers.map((b) => [`b:${b.name}`, b.variable] as const)];
  const bad = (why: string): never => {
    throw new UnprocessableError(`${field}: the supernet weights do not fit the Expanded Search Space (${why})`, [violation(field, 'supernetWeights', `must hold the supernet weights of its own space (${why})`)]);
  };
  for (const [key, v] of vars) {
    const a = weights[key];
    if (!(a instanceof Float32Array)) bad(`tensor ${key} is missing`);
    else if (a.length !== v.size) bad(`tensor ${key} has ${a.length} values, the supernet ${v.size}`);
  }
  const known = new Set<string>(vars.map(([k]) => k));
  const extra = Object.keys(weights).filter((k) => !known.has(k));
  if (extra.length) bad(`${extra.length} unknown tensor(s), e.g. ${extra[0]}`);
  for (const [key, v] of vars) v.assign(tf.tensor(weights[key], v.shape, 'float32'));
}
