/**
 * The exported weights of a trained NB201 cell network: the checkpoint container (checkpoint-file.ts: JSON header +
 * float32 arrays, SHA-256 checked) holding every parameter (`p:<name>`) and BN running statistic (`b:<name>`), with
 * what the network is in the header. No optimiser state: a model, not a resume point. No Nest imports.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UnprocessableError } from '../../common/errors';
import { CheckpointCorruptError, encodeCheckpoint, readCheckpointFile } from '../checkpoint-file';
import type { TrainableNetwork } from '../engine/network';

export const NB201_MODEL_FORMAT = 'nb201-model/1';
/** Media type of an exported model file (artefact kind `model`). */
export const NB201_MODEL_MEDIA_TYPE = 'application/vnd.nas-service.weights';

/** What the header says about the network; loading checks it against the network being built. */
export interface Nb201ModelHeader {
  format: typeof NB201_MODEL_FORMAT;
  arch: string;
  C: number;
  N: number;
  numClasses: number;
  imageShape: [number, number, number];
  /** Free description (dataset, accuracy ...); not checked on load. */
  info: Record<string, unknown>;
}

export function encodeNb201Model(net: TrainableNetwork, header: Omit<Nb201ModelHeader, 'format'>): Buffer {
  const arrays: Record<string, Float32Array> = {};
  for (const p of net.params) arrays[`p:${p.name}`] = Float32Array.from(p.variable.dataSync());
  for (const b of net.buffers) arrays[`b:${b.name}`] = Float32Array.from(b.variable.dataSync());
  return encodeCheckpoint({ meta: { ...header, format: NB201_MODEL_FORMAT }, arrays });
}

/**
 * Loads a model file into `net`, which must be the same network (arch, C, N, classes, input shape): anything else is
 * an UnprocessableError naming the mismatch; an unreadable or corrupt file is one too. Nothing is assigned unless
 * every tensor is present with the right size.
 */
export function loadNb201Model(file: string, net: TrainableNetwork, expect: Omit<Nb201ModelHeader, 'format' | 'info'>): Nb201ModelHeader {
  let c;
  try {
    c = readCheckpointFile(file);
  } catch (e) {
    if (e instanceof CheckpointCorruptError) throw new UnprocessableError(`model file: ${e.message}`);
    throw e;
  }
  const h = c.meta as unknown as Nb201ModelHeader;
  if (h.format !== NB201_MODEL_FORMAT) throw new UnprocessableError(`model file ${file} has format ${String(h.format)}, expected ${NB201_MODEL_FORMAT}`);
  for (const k of ['arch', 'C', 'N', 'numClasses'] as const) {
    if (h[k] !== expect[k]) throw new UnprocessableError(`the model was trained with ${k}=${String(h[k])}, this network has ${k}=${String(expect[k])}`);
  }
  if (JSON.stringify(h.imageShape) !== JSON.stringify(expect.imageShape)) {
    throw new UnprocessableError(`the model was trained on images of shape ${JSON.stringify(h.imageShape)}, this dataset has ${JSON.stringify(expect.imageShape)}`);
  }
  const values = [...net.params.map((p) => [`p:${p.name}`, p.variable] as const), ...net.buffers.map((b) => [`b:${b.name}`, b.variable] as const)].map(([key, v]) => {
    const a = c.arrays[key];
    if (!(a instanceof Float32Array) || a.length !== v.size) throw new UnprocessableError(`model file ${file}: tensor ${key} is missing or has the wrong size`);
    return [v, a] as const;
  });
  for (const [v, a] of values) v.assign(tf.tensor(a, v.shape, 'float32'));
  return h;
}
