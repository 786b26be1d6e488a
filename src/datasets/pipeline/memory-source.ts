import { InvalidInputError, violation } from '../../common/errors';
import type { ImageSplit } from '../formats/types';
import type { ImageSource } from './types';

/** An in-memory split as an ImageSource: readPixels copies the requested images, the split itself is not copied. */
export function splitSource(split: ImageSplit, name = 'memory'): ImageSource {
  const imageBytes = split.height * split.width * split.channels;
  if (split.images.length !== split.count * imageBytes || split.labels.length !== split.count) {
    throw new InvalidInputError(`${name}: images/labels lengths do not match count ${split.count} of ${split.height}x${split.width}x${split.channels}`, [
      violation('split', 'shape', 'images.length must be count*height*width*channels and labels.length count'),
    ]);
  }
  return {
    count: split.count,
    height: split.height,
    width: split.width,
    channels: split.channels,
    labels: split.labels,
    name,
    readPixels(indices: ArrayLike<number>, out: Uint8Array): void {
      for (let k = 0; k < indices.length; k++) {
        const i = indices[k];
        out.set(split.images.subarray(i * imageBytes, (i + 1) * imageBytes), k * imageBytes);
      }
    },
    close(): void {},
  };
}

function isSource(s: ImageSplit | ImageSource): s is ImageSource {
  return typeof (s as ImageSource).readPixels === 'function';
}

/** An ImageSource for either kind of input. */
export function asSource(s: ImageSplit | ImageSource): ImageSource {
  return isSource(s) ? s : splitSource(s);
}
