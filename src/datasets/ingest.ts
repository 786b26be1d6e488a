import { createHash } from 'node:crypto';
import { FieldViolation, InvalidInputError, PayloadTooLargeError, UnprocessableError, violation } from '../common/errors';
import type { FileToStore } from './dataset-storage';
import {
  CIFAR10_NUM_CLASSES,
  DECOMPRESSED_TOO_LARGE,
  DatasetFileRole,
  DatasetFormatError,
  DatasetSummary,
  StoredDatasetFormat,
  checkCifar10Binary,
  maybeGunzipAsync,
  storedFileName,
  summarizeDataset,
} from './formats';
import { ALL_UPLOAD_FILE_FIELDS, UPLOAD_FILE_FIELDS } from './upload/upload-fields';

/** One uploaded file part. */
export interface UploadedPart {
  field: string;
  originalName: string;
  data: Buffer;
}

/** A validated upload, ready to be stored. */
export interface IngestedDataset {
  /** SHA-256 (hex) over all uploaded bytes (as sent, before decompression), in field order. */
  sha256: string;
  /** Total uploaded bytes (as sent). */
  sizeBytes: number;
  summary: DatasetSummary;
  /** Decompressed files to store, one per role. */
  files: FileToStore[];
  /** role -> stored file name (the `files` column). */
  fileNames: Record<string, string>;
}

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

/** Roles with exactly one file (all MNIST-IDX roles): their only buffer. */
function singleBuffers(chunks: Partial<Record<DatasetFileRole, Buffer[]>>): Partial<Record<DatasetFileRole, Uint8Array>> {
  const out: Partial<Record<DatasetFileRole, Uint8Array>> = {};
  for (const [role, list] of Object.entries(chunks) as [DatasetFileRole, Buffer[]][]) {
    if (list.length !== 1) throw new Error(`role ${role} has ${list.length} files, expected 1`);
    out[role] = list[0];
  }
  return out;
}

function stripIndex(label: string): string {
  return label.replace(/\[\d+\]$/, '');
}

/** Maps a reader error on an uploaded file to a 422 (corrupt content) or 413 (decompresses too large) naming the field. */
export function uploadContentError(err: DatasetFormatError, originalNames: ReadonlyMap<string, string>): UnprocessableError | PayloadTooLargeError {
  const field = stripIndex(err.file);
  const original = originalNames.get(err.file);
  const detail = `${err.message}${original ? ` (uploaded file "${original}")` : ''}`;
  const v = [violation(field, err.rule, err.problem)];
  return err.rule === DECOMPRESSED_TOO_LARGE ? new PayloadTooLargeError(detail, v) : new UnprocessableError(detail, v);
}

/**
 * Checks an upload before anything is stored: field set, gzip integrity, decompressed size (all files together at
 * most `maxDecompressedBytes`), record/IDX structure, label ranges and counts, equal train/test image shapes.
 * Gzipped files are stored decompressed (CIFAR-10 train parts concatenated in order), so readers never pay for
 * decompression; the recorded sha256 and sizeBytes describe the bytes as uploaded.
 */
export async function ingestUpload(
  format: StoredDatasetFormat,
  parts: Readonly<Record<string, readonly UploadedPart[]>>,
  maxDecompressedBytes: number,
): Promise<IngestedDataset> {
  checkUploadFields(format, parts);
  const hash = createHash('sha256');
  let sizeBytes = 0;
  let budget = maxDecompressedBytes;
  const originalNames = new Map<string, string>();
  const roleNames: Partial<Record<DatasetFileRole, string>> = {};
  try {
    const chunks: Partial<Record<DatasetFileRole, Buffer[]>> = {};
    const records: Record<string, number> = {};
    for (const f of UPLOAD_FILE_FIELDS[format]) {
      const list = parts[f.field] ?? [];
      const decoded: Buffer[] = [];
      for (let i = 0; i < list.length; i++) {
        const label = list.length > 1 ? `${f.field}[${i}]` : f.field;
        originalNames.set(label, list[i].originalName);
        hash.update(list[i].data);
        sizeBytes += list[i].data.length;
        let out: Buffer;
        try {
          out = await maybeGunzipAsync(list[i].data, label, Math.max(1, budget));
        } catch (err) {
          if (err instanceof DatasetFormatError && err.rule === DECOMPRESSED_TOO_LARGE) {
            throw new DatasetFormatError(label, `the uploaded files decompress to more than ${maxDecompressedBytes} bytes in total`, DECOMPRESSED_TOO_LARGE);
          }
          throw err;
        }
        budget -= out.length;
        if (budget < 0) throw new DatasetFormatError(label, `the uploaded files take more than ${maxDecompressedBytes} bytes in total`, DECOMPRESSED_TOO_LARGE);
        // each CIFAR-10 part must hold whole records on its own, not just their concatenation
        if (format === 'cifar10-binary') records[f.role] = (records[f.role] ?? 0) + checkCifar10Binary(out, label);
        decoded.push(out);
      }
      chunks[f.role] = decoded;
      roleNames[f.role] = f.field;
    }
    const summary: DatasetSummary =
      format === 'cifar10-binary'
        ? { numTrain: records.train, numTest: records.test, numClasses: CIFAR10_NUM_CLASSES, imageShape: [32, 32, 3] }
        : summarizeDataset(format, singleBuffers(chunks), roleNames);
    const fileNames: Record<string, string> = {};
    const files: FileToStore[] = [];
    for (const f of UPLOAD_FILE_FIELDS[format]) {
      const name = storedFileName(format, f.role);
      fileNames[f.role] = name;
      files.push({ name, chunks: chunks[f.role] ?? [] });
    }
    return { sha256: hash.digest('hex'), sizeBytes, summary, files, fileNames };
  } catch (err) {
    if (err instanceof DatasetFormatError) throw uploadContentError(err, originalNames);
    throw err;
  }
}
