import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { parseArchStr } from './arch';
import { CsvTable, column, num, parseCsv } from './csv';
import { BenchmarkDataMissingError } from './errors';
import { NB201_MAX_SEEDS, NB201_SEED_DATASETS, Nb201AccuracyMetric, Nb201Columns, Nb201Data, Nb201SeedDataset } from './table';
import { NB201_NUM_EDGES } from './types';

export { BenchmarkDataMissingError } from './errors';
export { Nb201Data } from './table';

/** Sub-folder of config.dataDir that holds the NB201 tables. */
export const NB201_SUBDIR = 'nasbench201';

/** Files the loader needs (see PROVENANCE.md in the data folder). */
export const NB201_FILES = {
  accuracy: 'nb201_accuracy.csv.gz',
  perRun: 'nb201_valid_acc_200ep_per_run.csv.gz',
  latency: 'nb201_latency_help.csv.gz',
} as const;

/** Accuracy columns of nb201_accuracy.csv.gz and the metric each holds. */
const ACCURACY_COLUMNS: ReadonlyArray<[string, Nb201AccuracyMetric]> = [
  ['cifar10_test_acc_200ep', { dataset: 'cifar10', split: 'test', epochs: 200 }],
  ['cifar100_test_acc_200ep', { dataset: 'cifar100', split: 'test', epochs: 200 }],
  ['imagenet16_test_acc_200ep', { dataset: 'ImageNet16-120', split: 'test', epochs: 200 }],
  ['cifar10valid_valid_acc_200ep', { dataset: 'cifar10-valid', split: 'valid', epochs: 200 }],
  ['cifar100_valid_acc_200ep', { dataset: 'cifar100', split: 'valid', epochs: 200 }],
  ['imagenet16_valid_acc_200ep', { dataset: 'ImageNet16-120', split: 'valid', epochs: 200 }],
  ['cifar10_test_acc_12ep', { dataset: 'cifar10', split: 'test', epochs: 12 }],
  ['cifar10valid_valid_acc_12ep', { dataset: 'cifar10-valid', split: 'valid', epochs: 12 }],
  ['cifar100_test_acc_12ep', { dataset: 'cifar100', split: 'test', epochs: 12 }],
  ['cifar100_valid_acc_12ep', { dataset: 'cifar100', split: 'valid', epochs: 12 }],
  ['imagenet16_test_acc_12ep', { dataset: 'ImageNet16-120', split: 'test', epochs: 12 }],
  ['imagenet16_valid_acc_12ep', { dataset: 'ImageNet16-120', split: 'valid', epochs: 12 }],
];

/** The folder holding the tables: `dir` itself when it has them, else `dir/nasbench201` (so config.dataDir works too). */
export function resolveNb201Dir(dir: string): string {
  const abs = path.resolve(dir);
  if (fs.existsSync(path.join(abs, NB201_FILES.accuracy))) return abs;
  if (path.basename(abs) === NB201_SUBDIR) return abs;
  return path.join(abs, NB201_SUBDIR);
}

function missingFiles(dir: string): string[] {
  return Object.values(NB201_FILES).filter((f) => !fs.existsSync(path.join(dir, f)));
}

const cache = new Map<string, Nb201Data>();
const pending = new Map<string, Promise<Nb201Data>>();

/**
 * The NB201 table from `dir` (the nasbench201 folder, or the data dir holding it), loaded once per process and
 * cached. Synchronous, for Piscina workers and scripts. Throws BenchmarkDataMissingError naming the directory.
 */
export function loadNb201Table(dir: string): Nb201Data {
  const resolved = resolveNb201Dir(dir);
  const hit = cache.get(resolved);
  if (hit) return hit;
  const table = loadNb201TableUncached(resolved);
  cache.set(resolved, table);
  return table;
}

/** Same as loadNb201Table, but reads and gunzips on the libuv pool; concurrent callers share one load. */
export function loadNb201TableAsync(dir: string): Promise<Nb201Data> {
  const resolved = resolveNb201Dir(dir);
  const hit = cache.get(resolved);
  if (hit) return Promise.resolve(hit);
  let p = pending.get(resolved);
  if (!p) {
    p = readTextsAsync(resolved)
      .then((texts) => {
        const table = buildNb201Table(texts, resolved);
        cache.set(resolved, table);
        return table;
      })
      .finally(() => pending.delete(resolved));
    pending.set(resolved, p);
  }
  return p;
}

/** Load without the per-process cache (for measuring load time). */
export function loadNb201TableUncached(dir: string): Nb201Data {
  const resolved = resolveNb201Dir(dir);
  const missing = missingFiles(resolved);
  if (missing.length) throw new BenchmarkDataMissingError(resolved, missing);
  const read = (f: string): string => zlib.gunzipSync(fs.readFileSync(path.join(resolved, f))).toString('utf8');
  return buildNb201Table({ accuracy: read(NB201_FILES.accuracy), perRun: read(NB201_FILES.perRun), latency: read(NB201_FILES.latency) }, resolved);
}

type Texts = Record<keyof typeof NB201_FILES, string>;

async function readTextsAsync(dir: string): Promise<Texts> {
  const missing = missingFiles(dir);
  if (missing.length) throw new BenchmarkDataMissingError(dir, missing);
  const gunzip = (buf: Buffer): Promise<Buffer> => new Promise((ok, fail) => zlib.gunzip(buf, (e, out) => (e ? fail(e) : ok(out))));
  const read = async (f: string): Promise<string> => (await gunzip(await fs.promises.readFile(path.join(dir, f)))).toString('utf8');
  const [accuracy, perRun, latency] = await Promise.all([read(NB201_FILES.accuracy), read(NB201_FILES.perRun), read(NB201_FILES.latency)]);
  return { accuracy, perRun, latency };
}

/** Build the table from the three CSV texts; validates the index alignment of every file. */
export function buildNb201Table(texts: Texts, dir: string): Nb201Data {
  const accFile = path.join(dir, NB201_FILES.accuracy);
  const acc = parseCsv(texts.accuracy);
  const n = acc.rows.length;
  const iIdx = column(acc, 'index', accFile);
  const iArch = column(acc, 'arch_str', accFile);
  const iIso = column(acc, 'iso_unique_str', accFile);
  const archStrs: string[] = new Array(n);
  const isoKeys: string[] = new Array(n);
  const ops = new Uint8Array(n * NB201_NUM_EDGES);
  const accCols = ACCURACY_COLUMNS.map(([name, metric]) => ({ ...metric, col: column(acc, name, accFile), values: new Float64Array(n) }));
  for (let r = 0; r < n; r++) {
    const row = acc.rows[r];
    const i = Number(row[iIdx]);
    if (i !== r) throw new Error(`${accFile}: row ${r + 1} has index ${row[iIdx]}, expected ${r}`);
    const parsed = parseArchStr(row[iArch]);
    if (!parsed) throw new Error(`${accFile}: row ${r + 1} has a malformed arch_str`);
    archStrs[i] = row[iArch];
    isoKeys[i] = row[iIso];
    ops.set(parsed, i * NB201_NUM_EDGES);
    for (const c of accCols) c.values[i] = num(row[c.col]);
  }
  return new Nb201Data({
    archStrs,
    ops,
    isoKeys,
    accuracy: accCols.map(({ dataset, split, epochs, values }) => ({ dataset, split, epochs, values })),
    seeds: readSeeds(parseCsv(texts.perRun), n, path.join(dir, NB201_FILES.perRun)),
    latency: readLatency(parseCsv(texts.latency), archStrs, path.join(dir, NB201_FILES.latency)),
  });
}

function readSeeds(t: CsvTable, n: number, file: string): Nb201Columns['seeds'] {
  const seeds = {} as Nb201Columns['seeds'];
  for (const d of NB201_SEED_DATASETS) seeds[d] = { values: new Float64Array(n * NB201_MAX_SEEDS).fill(NaN), count: new Uint8Array(n) };
  const iIdx = column(t, 'index', file);
  const iDs = column(t, 'dataset', file);
  const iN = column(t, 'n_seeds', file);
  const iRuns = [1, 2, 3].map((k) => column(t, `valid_acc_run${k}`, file));
  for (const row of t.rows) {
    const i = Number(row[iIdx]);
    const s = seeds[row[iDs] as Nb201SeedDataset];
    if (!s || !Number.isInteger(i) || i < 0 || i >= n) throw new Error(`${file}: bad row ${row.slice(0, 2).join(',')}`);
    const count = Number(row[iN]);
    s.count[i] = count;
    for (let k = 0; k < count; k++) s.values[i * NB201_MAX_SEEDS + k] = num(row[iRuns[k]]);
  }
  return seeds;
}

function readLatency(t: CsvTable, archStrs: string[], file: string): Nb201Columns['latency'] {
  const n = archStrs.length;
  const iIdx = column(t, 'index', file);
  const iArch = column(t, 'arch_str', file);
  const cols = t.header
    .map((name, col) => ({ name, col }))
    .filter(({ name }) => name.endsWith('_ms'))
    .map(({ name, col }) => ({ device: name.slice(0, -3), col, values: new Float64Array(n).fill(NaN) }));
  for (const row of t.rows) {
    const i = Number(row[iIdx]);
    if (!Number.isInteger(i) || i < 0 || i >= n || row[iArch] !== archStrs[i]) throw new Error(`${file}: row for index ${row[iIdx]} does not match the accuracy table`);
    for (const c of cols) c.values[i] = num(row[c.col]);
  }
  return cols.map(({ device, values }) => ({ device, values }));
}

/** Forget cached tables (tests). */
export function clearNb201Cache(): void {
  cache.clear();
}
