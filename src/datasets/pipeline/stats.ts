import { InvalidInputError, violation } from '../../common/errors';
import type { ImageSplit } from '../formats/types';
import { asSource } from './memory-source';
import type { ChannelStats, ImageSource } from './types';
import { checkIndices } from './validate';

const CHUNK_IMAGES = 256;

/** Reads the images at `indices` chunk by chunk (only CHUNK_IMAGES images in memory at once). */
function forEachChunk(source: ImageSource, indices: ArrayLike<number>, fn: (pixels: Uint8Array, n: number) => void): void {
  const imageBytes = source.height * source.width * source.channels;
  const buf = new Uint8Array(Math.min(CHUNK_IMAGES, indices.length) * imageBytes);
  const idx = new Uint32Array(Math.min(CHUNK_IMAGES, indices.length));
  for (let start = 0; start < indices.length; start += CHUNK_IMAGES) {
    const n = Math.min(CHUNK_IMAGES, indices.length - start);
    for (let k = 0; k < n; k++) idx[k] = indices[start + k];
    const sub = idx.subarray(0, n);
    source.readPixels(sub, buf);
    fn(buf, n);
  }
}

/**
 * Per-channel mean and population standard deviation of pixel/255 over the images at `indices` -- pass the TRAIN
 * indices only, never valid or test ones. Two passes (mean, then squared deviations) in float64 over integer pixel
 * sums. A constant channel (std 0) gets std 1 so that normalisation stays finite.
 */
export function channelStats(data: ImageSplit | ImageSource, indices: ArrayLike<number>): ChannelStats {
  const source = asSource(data);
  if (indices.length === 0) throw new InvalidInputError('channelStats needs at least one image', [violation('indices', 'notEmpty', 'must not be empty')]);
  checkIndices(indices, source.count, 'indices');
  const c = source.channels;
  const pixelsPerImage = source.height * source.width;
  const n = indices.length * pixelsPerImage;
  const sum = new Float64Array(c);
  forEachChunk(source, indices, (px, m) => {
    const len = m * pixelsPerImage * c;
    for (let o = 0; o < len; o += c) for (let ch = 0; ch < c; ch++) sum[ch] += px[o + ch];
  });
  const meanPx = Array.from(sum, (s) => s / n);
  const sq = new Float64Array(c);
  forEachChunk(source, indices, (px, m) => {
    const len = m * pixelsPerImage * c;
    for (let o = 0; o < len; o += c) {
      for (let ch = 0; ch < c; ch++) {
        const d = px[o + ch] - meanPx[ch];
        sq[ch] += d * d;
      }
    }
  });
  const std = Array.from(sq, (s) => Math.sqrt(s / n) / 255);
  return { mean: meanPx.map((m) => m / 255), std: std.map((s) => (s > 0 ? s : 1)), images: indices.length };
}
