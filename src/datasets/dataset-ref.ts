/** How a trainer process finds a dataset: a builtin one by name, or an uploaded one by its stored files. No Nest, no database. */
import { FieldViolation, UnprocessableError, violation } from '../common/errors';
import {
  BUILTIN_DATASETS,
  BuiltinDatasetName,
  DatasetFormatError,
  ImageDataset,
  ImageSplit,
  STORED_DATASET_FORMATS,
  StoredDatasetFormat,
  isBuiltinDatasetName,
  loadBuiltinDataset,
  loadStoredDataset,
} from './formats';

export type DatasetRef =
  | { kind: 'builtin'; name: BuiltinDatasetName; dataDir: string }
  | { kind: 'stored'; name: string; dir: string; format: StoredDatasetFormat; files: Record<string, string> };

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks a dataset reference received over IPC (field `input.dataset`). */
export function parseDatasetRef(raw: unknown, out: FieldViolation[]): DatasetRef {
  if (!isObj(raw)) {
    out.push(violation('input.dataset', 'isObject', 'dataset must be {kind: "builtin", name, dataDir} or {kind: "stored", name, dir, format, files}'));
    return raw as DatasetRef;
  }
  if (raw.kind === 'builtin') {
    if (!isBuiltinDatasetName(raw.name)) out.push(violation('input.dataset.name', 'isIn', `must be one of ${BUILTIN_DATASETS.join(', ')}`));
    if (typeof raw.dataDir !== 'string' || !raw.dataDir) out.push(violation('input.dataset.dataDir', 'isString', 'dataDir must be a directory path'));
    return { kind: 'builtin', name: raw.name as BuiltinDatasetName, dataDir: raw.dataDir as string };
  }
  if (raw.kind === 'stored') {
    if (typeof raw.name !== 'string') out.push(violation('input.dataset.name', 'isString', 'name must be a string'));
    if (typeof raw.dir !== 'string' || !raw.dir) out.push(violation('input.dataset.dir', 'isString', 'dir must be a directory path'));
    if (!(STORED_DATASET_FORMATS as readonly unknown[]).includes(raw.format)) {
      out.push(violation('input.dataset.format', 'isIn', `must be one of ${STORED_DATASET_FORMATS.join(', ')}`));
    }
    const files = raw.files;
    if (!isObj(files) || !Object.values(files).every((f) => typeof f === 'string')) {
      out.push(violation('input.dataset.files', 'isObject', 'files must map file roles to file names'));
    }
    return { kind: 'stored', name: raw.name as string, dir: raw.dir as string, format: raw.format as StoredDatasetFormat, files: files as Record<string, string> };
  }
  out.push(violation('input.dataset.kind', 'isIn', 'kind must be builtin or stored'));
  return raw as DatasetRef;
}

/** Loads a builtin or uploaded dataset for a trainer task; an unreadable one is a 422 naming the dataset and the problem. */
export function loadDatasetRef(ref: DatasetRef): ImageDataset {
  try {
    return ref.kind === 'builtin' ? loadBuiltinDataset(ref.name, ref.dataDir) : loadStoredDataset(ref.dir, ref.format, ref.files, ref.name);
  } catch (e) {
    if (e instanceof DatasetFormatError) throw new UnprocessableError(`dataset ${ref.name} cannot be read: ${e.message}`);
    throw e;
  }
}

/** The first `n` images of a split (a view, no copy); the whole split when n is null or not smaller. */
export function firstImages(s: ImageSplit, n: number | null): ImageSplit {
  if (n === null || n >= s.count) return s;
  const size = s.height * s.width * s.channels;
  return { ...s, count: n, images: s.images.subarray(0, n * size), labels: s.labels.subarray(0, n) };
}
