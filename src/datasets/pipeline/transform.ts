import type { Rng } from '../../common/rng';
import type { ChannelStats } from './types';

/** Per-sample augmentation: crop window offset (dy, dx) in the padded image, then an optional left-right mirror. */
export interface SampleTransform {
  dy: number;
  dx: number;
  flip: boolean;
}

export const IDENTITY: SampleTransform = { dy: 0, dx: 0, flip: false };

/** Draws one sample's transform: dy, dx uniform in 0..2p (when p > 0), then flip with probability 1/2 (when on). */
export function drawTransform(rng: Rng, cropPadding: number, horizontalFlip: boolean): SampleTransform {
  const dy = cropPadding > 0 ? rng.int(2 * cropPadding + 1) : cropPadding;
  const dx = cropPadding > 0 ? rng.int(2 * cropPadding + 1) : cropPadding;
  const flip = horizontalFlip ? rng.nextU32() >>> 31 === 1 : false;
  return { dy, dx, flip };
}

/** lut[c * 256 + p] = (p/255 - mean[c]) / std[c] as float32: normalisation becomes one table load per value. */
export function normalisationTable(stats: ChannelStats): Float32Array {
  const c = stats.mean.length;
  const lut = new Float32Array(c * 256);
  for (let ch = 0; ch < c; ch++) for (let p = 0; p < 256; p++) lut[ch * 256 + p] = (p / 255 - stats.mean[ch]) / stats.std[ch];
  return lut;
}

/**
 * Writes one normalised HWC image to out[outOff ..]: out(y, x) = padded(y + dy, x' + dx) with x' = flip ? W-1-x : x,
 * where padded is the source surrounded by `pad` pixels of value 0 (black, as torchvision's RandomCrop(padding)) --
 * i.e. source(y + dy - pad, x' + dx - pad), or the normalised 0 outside the source. With pad 0 and IDENTITY it is
 * a plain normalised copy.
 */
export function writeSample(
  src: Uint8Array,
  srcOff: number,
  h: number,
  w: number,
  c: number,
  out: Float32Array,
  outOff: number,
  lut: Float32Array,
  pad: number,
  t: SampleTransform,
): void {
  let o = outOff;
  for (let y = 0; y < h; y++) {
    const sy = y + t.dy - pad;
    const rowInside = sy >= 0 && sy < h;
    for (let x = 0; x < w; x++) {
      const sx = (t.flip ? w - 1 - x : x) + t.dx - pad;
      if (rowInside && sx >= 0 && sx < w) {
        const s = srcOff + (sy * w + sx) * c;
        for (let ch = 0; ch < c; ch++) out[o++] = lut[ch * 256 + src[s + ch]];
      } else {
        for (let ch = 0; ch < c; ch++) out[o++] = lut[ch * 256];
      }
    }
  }
}
