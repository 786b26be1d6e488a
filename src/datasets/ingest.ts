import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable, Transform, TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { FieldViolation, InvalidInputError, PayloadTooLargeError, UnprocessableError, violation } from '../common/errors';
import {
  CIFAR10_NUM_CLASSES,
  Cifar10StreamCheck,
  DECOMPRESSED_TOO_LARGE,
  DatasetFileRole,
  DatasetFormatError,
  DatasetSummary,
  IdxStreamCheck,
  ImageBudget,
  MNIST_NUM_CLASSES,
  StoredDatasetFormat,
  StreamCheck,
  TOO_MANY_IMAGES,
  isGzip,
  storedFileName,
} from './formats';
import { gunzipError } from './formats/gzip';
import { ALL_UPLOAD_FILE_FIELDS, UPLOAD_FILE_FIELDS } from './upload/upload-fields';

/** One uploaded file part: its bytes on disk (`path`, as the upload storage engine leaves them) or in memory (`data`). */
export interface UploadedPart {
  field: string;
  originalName: string;
  data?: Buffer;
  path?: string;
}

/** One decompressed, checked file written to the work directory, with the size and SHA-256 of what was written. */
export interface StagedFile {
  name: string;
  path: string;
  size: number;
  sha256: string;
}

/** A validated upload, its files written (decompressed) to the work directory, ready to be committed. */
export interface IngestedDataset {
  /** SHA-256 (hex) over all uploaded bytes (as sent, before decompression), in field order. */
  sha256: string;
  /** Total uploaded bytes (as sent). */
  sizeBytes: number;
  summary: DatasetSummary;
  /** Decompressed files, one per role, in the work directory. */
  files: StagedFile[];
  /** role -> stored file name (the `files` column). */
  fileNames: Record<string, string>;
}

export interface IngestLimits {
  /** All files of the upload together may decompress to at most this many bytes (a disk bound). */
  maxDecompressedBytes: number;
  /** Images (train + test) the upload may hold: with the format it bounds every file's length (MAX_UPLOAD_IMAGES). */
  maxImages: number;
}

/** Default image bound when a caller gives only a byte budget. */
export const DEFAULT_MAX_UPLOAD_IMAGES = 100_000;

/** The uploaded file fields must be exactly the fields of the format: none missing, none foreign. */
export function checkUploadFields(format: StoredDatasetFormat, parts: Readonly<Record<string, readonly UploadedPart[]>>): void {
  const expected = UPLOAD_FILE_FIELDS[format];
  const names = expected.map((f) => f.field);
  const problems: FieldViolation[] = [];
  for (const [field, list] of Object.entries(parts)) {
    if (list.length && !names.includes(field)) {
      const known = ALL_UPLOAD_FILE_FIELDS.some((f) => f.field === field);
      problems.push(
        violation(field, known ? 'fieldOfFormat' : 'knownFileField', `file field "${field}" is not part of format ${format} (its file fields are ${names.join(', ')})`),
      );
    }
  }
  for (const f of expected) {
    if (!parts[f.field]?.length) problems.push(violation(f.field, 'required', `file field "${f.field}" is required for format ${format}`));
  }
  if (problems.length) throw new InvalidInputError(problems.map((p) => p.message).join('; '), problems);
}

function stripIndex(label: string): string {
  return label.replace(/\[\d+\]$/, '');
}

/** Maps a reader error on an uploaded file to a 422 (corrupt content) or 413 (too large once decompressed) naming the field. */
export function uploadContentError(err: DatasetFormatError, originalNames: ReadonlyMap<string, string>): UnprocessableError | PayloadTooLargeError {
  const field = stripIndex(err.file);
  const original = originalNames.get(err.file);
  const detail = `${err.message}${original ? ` (uploaded file "${original}")` : ''}`;
  const v = [violation(field, err.rule, err.problem)];
  return err.rule === DECOMPRESSED_TOO_LARGE || err.rule === TOO_MANY_IMAGES ? new PayloadTooLargeError(detail, v) : new UnprocessableError(detail, v);
}

/** Passes chunks through while hashing and counting them. */
class Tap extends Transform {
  constructor(private readonly onChunk: (c: Buffer) => void) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.onChunk(chunk);
      cb(null, chunk);
    } catch (e) {
      cb(e as Error);
    }
  }
}

async function startsWithGzipMagic(part: UploadedPart): Promise<boolean> {
  if (part.data) return isGzip(part.data);
  const h = await fs.promises.open(part.path as string, 'r');
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await h.read(b, 0, 2, 0);
    return isGzip(b.subarray(0, bytesRead));
  } finally {
    await h.close();
  }
}

function source(part: UploadedPart): Readable {
  if (part.data) return Readable.from([part.data], { objectMode: false });
  if (part.path) return fs.createReadStream(part.path, { highWaterMark: 64 * 1024 });
  throw new Error(`uploaded part ${part.field} has neither data nor path`);
}

/**
 * Checks an upload and writes its files, decompressed, into `workDir`, streaming: no file is ever held in memory,
 * so the memory of an upload is a few stream buffers whatever its size. Checked: the field set, gzip integrity,
 * the decompressed size of all files together (at most `maxDecompressedBytes`), the number of images (at most
 * `maxImages`: with the format's record/header sizes an absolute bound on each file's length, enforced while
 * decompressing, so a gzip bomb stops early), record/IDX structure, label ranges and counts, and equal train/test
 * image shapes. CIFAR-10 train parts are concatenated in order. The recorded sha256 and sizeBytes describe the
 * bytes as uploaded.
 */
export async function ingestUpload(
  format: StoredDatasetFormat,
  parts: Readonly<Record<string, readonly UploadedPart[]>>,
  limits: IngestLimits | number,
  workDir: string,
): Promise<IngestedDataset> {
  const { maxDecompressedBytes, maxImages } = typeof limits === 'number' ? { maxDecompressedBytes: limits, maxImages: DEFAULT_MAX_UPLOAD_IMAGES } : limits;
  checkUploadFields(format, parts);
  const hash = createHash('sha256');
  let sizeBytes = 0;
  let decompressed = 0;
  const images = new ImageBudget(maxImages);
  const originalNames = new Map<string, string>();
  const counts: Partial<Record<DatasetFileRole, number>> = {};
  const shapes: Partial<Record<DatasetFileRole, { height: number; width: number }>> = {};
  const files: StagedFile[] = [];
  const fileNames: Record<string, string> = {};
  try {
    for (const f of UPLOAD_FILE_FIELDS[format]) {
      const list = parts[f.field] ?? [];
      const name = storedFileName(format, f.role);
      const out = path.join(workDir, name);
      const fileHash = createHash('sha256');
      let fileSize = 0;
      let records = 0;
      for (let i = 0; i < list.length; i++) {
        const label = list.length > 1 ? `${f.field}[${i}]` : f.field;
        originalNames.set(label, list[i].originalName);
        const check: StreamCheck =
          format === 'cifar10-binary'
            ? new Cifar10StreamCheck(label, images) // each part must hold whole records on its own
            : new IdxStreamCheck(label, f.role.endsWith('images') ? 'images' : 'labels', images, MNIST_NUM_CLASSES);
        const gz = await startsWithGzipMagic(list[i]);
        const raw = new Tap((c) => {
          hash.update(c);
          sizeBytes += c.length;
        });
        const checked = new Tap((c) => {
          decompressed += c.length;
          if (decompressed > maxDecompressedBytes) {
            throw new DatasetFormatError(label, `the uploaded files decompress to more than ${maxDecompressedBytes} bytes in total`, DECOMPRESSED_TOO_LARGE);
          }
          check.push(c);
          fileHash.update(c);
          fileSize += c.length;
        });
        const sink = fs.createWriteStream(out, { flags: i === 0 ? 'w' : 'a' });
        try {
          await pipeline(source(list[i]), raw, ...(gz ? [zlib.createGunzip({ chunkSize: 64 * 1024 })] : []), checked, sink);
        } catch (err) {
          if (err instanceof DatasetFormatError) throw err;
          if (gz && (err as { code?: string }).code?.startsWith('Z_')) throw gunzipError(err, label, undefined);
          throw err;
        }
        records += check.end();
        if (check instanceof IdxStreamCheck && check.shape) shapes[f.role] = check.shape;
      }
      counts[f.role] = records;
      fileNames[f.role] = name;
      files.push({ name, path: out, size: fileSize, sha256: fileHash.digest('hex') });
    }
    return { sha256: hash.digest('hex'), sizeBytes, summary: summarize(format, counts, shapes), files, fileNames };
  } catch (err) {
    if (err instanceof DatasetFormatError) throw uploadContentError(err, originalNames);
    throw err;
  }
}

/** The dataset's shape from the per-role counts: labels pair up with images, train and test images are the same size. */
function summarize(
  format: StoredDatasetFormat,
  counts: Partial<Record<DatasetFileRole, number>>,
  shapes: Partial<Record<DatasetFileRole, { height: number; width: number }>>,
): DatasetSummary {
  if (format === 'cifar10-binary') {
    return { numTrain: counts.train ?? 0, numTest: counts.test ?? 0, numClasses: CIFAR10_NUM_CLASSES, imageShape: [32, 32, 3] };
  }
  const field = (role: DatasetFileRole): string => UPLOAD_FILE_FIELDS['mnist-idx'].find((f) => f.role === role)?.field ?? role;
  for (const split of ['train', 'test'] as const) {
    const n = counts[`${split}-images`];
    const l = counts[`${split}-labels`];
    if (n !== l) throw new DatasetFormatError(field(`${split}-labels`), `labels count ${l} != images count ${n}`, 'labelCount');
  }
  const train = shapes['train-images'] as { height: number; width: number };
  const test = shapes['test-images'] as { height: number; width: number };
  if (train.height !== test.height || train.width !== test.width) {
    throw new DatasetFormatError(field('test-images'), `test images are ${test.height}x${test.width} but train images are ${train.height}x${train.width}`, 'sameImageShape');
  }
  return { numTrain: counts['train-images'] ?? 0, numTest: counts['test-images'] ?? 0, numClasses: MNIST_NUM_CLASSES, imageShape: [train.height, train.width, 1] };
}
