import { DatasetFormatError } from './errors';

/** IDX (LeCun et al., MNIST): big-endian int32 magic 0x0000TTDD (TT = 0x08 unsigned byte, DD = number of dims). */
export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;
const IMAGES_HEADER_BYTES = 16;
const LABELS_HEADER_BYTES = 8;

export interface IdxImagesHeader {
  count: number;
  height: number;
  width: number;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

function checkMagic(buf: Uint8Array, file: string, expected: number, what: string, headerBytes: number): DataView {
  if (buf.length < headerBytes) {
    throw new DatasetFormatError(file, `length ${buf.length} is shorter than the ${headerBytes}-byte IDX ${what} header`, 'idxHeader');
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== expected) {
    throw new DatasetFormatError(file, `IDX magic is ${hex(magic)}, expected ${hex(expected)} (${what})`, 'idxMagic');
  }
  return view;
}

function checkLength(buf: Uint8Array, file: string, expected: number, dims: string): void {
  if (buf.length !== expected) {
    throw new DatasetFormatError(file, `length ${buf.length} does not match the IDX header (${dims}): expected exactly ${expected} bytes`, 'idxLength');
  }
}

/** Validates an IDX3 image file (magic, positive dims, exact length) without copying the pixels. */
export function readIdxImagesHeader(buf: Uint8Array, file: string): IdxImagesHeader {
  const view = checkMagic(buf, file, IDX_IMAGES_MAGIC, 'images', IMAGES_HEADER_BYTES);
  const count = view.getUint32(4, false);
  const height = view.getUint32(8, false);
  const width = view.getUint32(12, false);
  if (count === 0) throw new DatasetFormatError(file, 'IDX header says 0 images', 'notEmpty');
  if (height === 0 || width === 0) throw new DatasetFormatError(file, `IDX image size ${height}x${width} has a zero dimension`, 'idxHeader');
  checkLength(buf, file, IMAGES_HEADER_BYTES + count * height * width, `${count} x ${height} x ${width}`);
  return { count, height, width };
}

/** Parses an IDX3 unsigned-byte image file; the pixels are copied into a fresh array (row-major, one channel). */
export function parseIdxImages(buf: Buffer, file: string): { count: number; height: number; width: number; images: Uint8Array } {
  const h = readIdxImagesHeader(buf, file);
  return { ...h, images: new Uint8Array(buf.subarray(IMAGES_HEADER_BYTES)) };
}

/** Validates an IDX1 label file and returns its labels as a view of the buffer (no copy). */
export function idxLabelsView(buf: Uint8Array, file: string): Uint8Array {
  const view = checkMagic(buf, file, IDX_LABELS_MAGIC, 'labels', LABELS_HEADER_BYTES);
  const count = view.getUint32(4, false);
  if (count === 0) throw new DatasetFormatError(file, 'IDX header says 0 labels', 'notEmpty');
  checkLength(buf, file, LABELS_HEADER_BYTES + count, `${count} labels`);
  return buf.subarray(LABELS_HEADER_BYTES);
}

/** Parses an IDX1 unsigned-byte label file; the labels are copied into a fresh array. */
export function parseIdxLabels(buf: Buffer, file: string): Uint8Array {
  return new Uint8Array(idxLabelsView(buf, file));
}

/** Every label must be a class index below numClasses. */
export function checkLabelRange(labels: Uint8Array, numClasses: number, file: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= numClasses) {
      throw new DatasetFormatError(file, `label ${labels[i]} at index ${i} is out of range 0..${numClasses - 1}`, 'labelRange');
    }
  }
}

/** Images and labels of one split must pair up one to one. */
export function checkLabelCount(labelCount: number, imageCount: number, labelsFile: string): void {
  if (labelCount !== imageCount) {
    throw new DatasetFormatError(labelsFile, `labels count ${labelCount} != images count ${imageCount}`, 'labelCount');
  }
}
