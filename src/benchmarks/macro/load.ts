import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { MacroDataMissingError } from './errors';
import { MacroData } from './table';
import type { MacroRawRecord } from './types';

export { MacroDataMissingError } from './errors';
export { MacroData } from './table';

/** Sub-folder of config.dataDir that holds the table. */
export const MACRO_SUBDIR = 'nasbench_macro';
/** The benchmark's JSON, gzipped, unchanged (see PROVENANCE.md in the data folder). */
export const MACRO_FILE = 'nas-bench-macro_cifar10.json.gz';

/** The folder holding the table: `dir` itself when it has it, else `dir/nasbench_macro` (so config.dataDir works too). */
export function resolveMacroDir(dir: string): string {
  const abs = path.resolve(dir);
  if (fs.existsSync(path.join(abs, MACRO_FILE)) || path.basename(abs) === MACRO_SUBDIR) return abs;
  return path.join(abs, MACRO_SUBDIR);
}

const cache = new Map<string, MacroData>();
const pending = new Map<string, Promise<MacroData>>();

/** Parse the JSON text into the table (validates all 6,561 keys). */
export function buildMacroTable(json: string, file: string): MacroData {
  const parsed = JSON.parse(json) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${file}: expected a JSON object of records`);
  return new MacroData(parsed as Record<string, MacroRawRecord>, file);
}

/** The table from `dir` (the nasbench_macro folder or the data dir holding it), loaded once per process. Synchronous. */
export function loadMacroTable(dir: string): MacroData {
  const resolved = resolveMacroDir(dir);
  const hit = cache.get(resolved);
  if (hit) return hit;
  const file = path.join(resolved, MACRO_FILE);
  if (!fs.existsSync(file)) throw new MacroDataMissingError(resolved, [MACRO_FILE]);
  const table = buildMacroTable(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8'), file);
  cache.set(resolved, table);
  return table;
}

/** Same as loadMacroTable, reading and gunzipping on the libuv pool; concurrent callers share one load. */
export function loadMacroTableAsync(dir: string): Promise<MacroData> {
  const resolved = resolveMacroDir(dir);
  const hit = cache.get(resolved);
  if (hit) return Promise.resolve(hit);
  let p = pending.get(resolved);
  if (!p) {
    const file = path.join(resolved, MACRO_FILE);
    p = (async () => {
      if (!fs.existsSync(file)) throw new MacroDataMissingError(resolved, [MACRO_FILE]);
      const gz = await fs.promises.readFile(file);
      const buf = await new Promise<Buffer>((ok, fail) => zlib.gunzip(gz, (e, out) => (e ? fail(e) : ok(out))));
      const table = buildMacroTable(buf.toString('utf8'), file);
      cache.set(resolved, table);
      return table;
    })().finally(() => pending.delete(resolved));
    pending.set(resolved, p);
  }
  return p;
}
