import { CIFAR10_NUM_CLASSES, CIFAR10_RECORD_BYTES } from './cifar10';
import { DatasetFormatError } from './errors';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, IdxImagesHeader } from './idx';

/** Rule of the 413 raised when an upload holds more images than MAX_UPLOAD_IMAGES. */
export const TOO_MANY_IMAGES = 'maxUploadImages';
/** Largest IDX image accepted (pixels per image); bounds an IDX file's declared size together with the image count. */
export const IDX_MAX_IMAGE_PIXELS = 512 * 512;

/** Images one upload may still hold; shared by all of its files, so the absolute bound covers the whole upload. */
export class ImageBudget {
  constructor(readonly max: number, private left = max) {}

  take(n: number, file: string): void {
    this.left -= n;
    if (this.left < 0) throw new DatasetFormatError(file, `the upload holds more than ${this.max} images (MAX_UPLOAD_IMAGES)`, TOO_MANY_IMAGES);
  }
}

/**
 * Checks a file chunk by chunk as it is decompressed, without keeping it: each check knows from the format how
 * long the file may be (CIFAR-10: whole records within the image budget; IDX: exactly the length its header
 * declares) and throws as soon as a byte beyond that arrives, so a gzip bomb stops after a few KiB of excess.
 */
export interface StreamCheck {
  push(chunk: Uint8Array): void;
  /** At the end of the file: the final length checks; the number of records/images/labels. */
  end(): number;
}

/** CIFAR-10 binary: records of 1 label byte (0..9) + 3072 pixel bytes, each counted against the image budget. */
export class Cifar10StreamCheck implements StreamCheck {
  private length = 0;

  constructor(private readonly file: string, private readonly images: ImageBudget) {}

  push(chunk: Uint8Array): void {
    // the first record starting in this chunk: the next multiple of the record size at or after `length`
    let off = (CIFAR10_RECORD_BYTES - (this.length % CIFAR10_RECORD_BYTES)) % CIFAR10_RECORD_BYTES;
    for (; off < chunk.length; off += CIFAR10_RECORD_BYTES) {
      const record = (this.length + off) / CIFAR10_RECORD_BYTES;
      this.images.take(1, this.file);
      const label = chunk[off];
      if (label >= CIFAR10_NUM_CLASSES) {
        throw new DatasetFormatError(this.file, `record ${record} has label ${label}, expected 0..${CIFAR10_NUM_CLASSES - 1}`, 'labelRange');
      }
    }
    this.length += chunk.length;
  }

  end(): number {
    if (this.length === 0) throw new DatasetFormatError(this.file, 'file is empty, expected CIFAR-10 binary records', 'notEmpty');
    if (this.length % CIFAR10_RECORD_BYTES !== 0) {
      throw new DatasetFormatError(this.file, `length ${this.length} is not a multiple of ${CIFAR10_RECORD_BYTES}-byte CIFAR-10 records`, 'cifar10RecordLength');
    }
    return this.length / CIFAR10_RECORD_BYTES;
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/** IDX3 images (magic 0x803) or IDX1 labels (magic 0x801, each label below `numClasses`). */
export class IdxStreamCheck implements StreamCheck {
  private readonly headerBytes: number;
  private readonly header: Buffer;
  private length = 0;
  /** Total length the header declares, once it is read. */
  private expected: number | null = null;
  private count = 0;
  /** Images header, once read (images files only). */
  shape: IdxImagesHeader | null = null;

  constructor(
    private readonly file: string,
    private readonly kind: 'images' | 'labels',
    private readonly images: ImageBudget,
    private readonly numClasses: number,
  ) {
    this.headerBytes = kind === 'images' ? 16 : 8;
    this.header = Buffer.alloc(this.headerBytes);
  }

  push(chunk: Uint8Array): void {
    let body = chunk;
    if (this.expected === null) {
      const n = Math.min(this.headerBytes - this.length, chunk.length);
      this.header.set(chunk.subarray(0, n), this.length);
      this.length += n;
      body = chunk.subarray(n);
      if (this.length < this.headerBytes) return;
      this.readHeader();
    }
    const expected = this.expected as number;
    if (this.kind === 'labels') {
      const first = this.length - this.headerBytes;
      for (let i = 0; i < body.length && first + i < this.count; i++) {
        if (body[i] >= this.numClasses) {
          throw new DatasetFormatError(this.file, `label ${body[i]} at index ${first + i} is out of range 0..${this.numClasses - 1}`, 'labelRange');
        }
      }
    }
    this.length += body.length;
    if (this.length > expected) {
      throw new DatasetFormatError(this.file, `length is more than the ${expected} bytes the IDX header declares (${this.dims()})`, 'idxLength');
    }
  }

  private readHeader(): void {
    const what = this.kind;
    const magic = this.header.readUInt32BE(0);
    const want = this.kind === 'images' ? IDX_IMAGES_MAGIC : IDX_LABELS_MAGIC;
    if (magic !== want) throw new DatasetFormatError(this.file, `IDX magic is ${hex(magic)}, expected ${hex(want)} (${what})`, 'idxMagic');
    this.count = this.header.readUInt32BE(4);
    if (this.count === 0) throw new DatasetFormatError(this.file, `IDX header says 0 ${what}`, 'notEmpty');
    if (this.kind === 'images') {
      const height = this.header.readUInt32BE(8);
      const width = this.header.readUInt32BE(12);
      if (height === 0 || width === 0) throw new DatasetFormatError(this.file, `IDX image size ${height}x${width} has a zero dimension`, 'idxHeader');
      if (height * width > IDX_MAX_IMAGE_PIXELS) {
        throw new DatasetFormatError(this.file, `IDX image size ${height}x${width} is larger than ${IDX_MAX_IMAGE_PIXELS} pixels`, 'idxHeader');
      }
      this.images.take(this.count, this.file);
      this.shape = { count: this.count, height, width };
      this.expected = this.headerBytes + this.count * height * width;
    } else {
      if (this.count > this.images.max) {
        throw new DatasetFormatError(this.file, `IDX header declares ${this.count} labels, more than ${this.images.max} images (MAX_UPLOAD_IMAGES)`, TOO_MANY_IMAGES);
      }
      this.expected = this.headerBytes + this.count;
    }
  }

  private dims(): string {
    return this.shape ? `${this.shape.count} x ${this.shape.height} x ${this.shape.width}` : `${this.count} labels`;
  }

  end(): number {
    if (this.expected === null) {
      throw new DatasetFormatError(this.file, `length ${this.length} is shorter than the ${this.headerBytes}-byte IDX ${this.kind} header`, 'idxHeader');
    }
    if (this.length !== this.expected) {
      throw new DatasetFormatError(this.file, `length ${this.length} does not match the IDX header (${this.dims()}): expected exactly ${this.expected} bytes`, 'idxLength');
    }
    return this.count;
  }
}
