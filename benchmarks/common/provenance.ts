/**
 * The one writer of benchmark results: every script in benchmarks/ writes its JSON through writeResultJson, which puts
 * a `provenance` block first: the command (with the environment overrides that shaped the run), the git commit and
 * whether the tree was dirty, the timestamp, the machine, and the full configuration the script resolved.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../../src/config/config';

export interface Provenance {
  /** How to repeat the run: `ENV=value ... npm run <script>` (or `node <file>` when not started by npm). */
  command: string;
  /** Environment variables the script reads that were set for this run (secrets and URLs with credentials redacted). */
  envOverrides: Record<string, string>;
  /** Extra command-line arguments. */
  args: string[];
  git: { commit: string | null; dirty: boolean | null; changedFiles: string[] };
  /** Start of the run (ISO 8601, UTC). */
  startedAt: string;
  /** When the JSON was written. */
  writtenAt: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; loadAvg1mAtStart: number; node: string; os: string; arch: string };
  /** Every setting the run used, defaults included. */
  config: Record<string, unknown>;
}

/** Variables every benchmark may depend on besides its own. */
const COMMON_ENV = ['NAS_DATA_DIR', 'DATABASE_URL', 'LOG_LEVEL', 'TRAINER_BACKEND', 'NODE_OPTIONS', 'UV_THREADPOOL_SIZE'];

const redact = (key: string, value: string): string => {
  if (/PASSWORD|SECRET|TOKEN|KEY/i.test(key)) return '<set>';
  try {
    const u = new URL(value);
    if (u.password) u.password = '***';
    return u.protocol && u.host ? u.toString() : value;
  } catch {
    return value;
  }
};

function git(): Provenance['git'] {
  for (const cwd of [REPO_ROOT, process.cwd()]) {
    try {
      const run = (...a: string[]): string => execFileSync('git', a, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const changed = run('status', '--porcelain', '--untracked-files=no')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => l.slice(3));
      return { commit: run('rev-parse', 'HEAD').trim(), dirty: changed.length > 0, changedFiles: changed.slice(0, 50) };
    } catch {
      // not a git checkout (e.g. a docker image): try the next candidate
    }
  }
  return { commit: null, dirty: null, changedFiles: [] };
}

function machine(): Provenance['machine'] {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAvg1mAtStart: Math.round(os.loadavg()[0] * 100) / 100,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    arch: process.arch,
  };
}

/**
 * Captures the provenance of a run at its start. `envKeys`: the variables this script reads (the common ones are
 * added); `config`: the resolved configuration, defaults included (it can be completed later with `config`).
 */
export class RunProvenance {
  private readonly startedAt = new Date().toISOString();
  private readonly machineAtStart = machine();
  private readonly gitAtStart = git();
  private readonly env: Record<string, string>;
  readonly config: Record<string, unknown>;

  constructor(
    private readonly script: string,
    envKeys: readonly string[],
    config: Record<string, unknown> = {},
  ) {
    this.env = {};
    for (const k of [...new Set([...envKeys, ...COMMON_ENV])].sort()) {
      const v = process.env[k];
      if (v !== undefined) this.env[k] = redact(k, v);
    }
    this.config = { ...config };
  }

  get record(): Provenance {
    const envPrefix = Object.entries(this.env)
      .map(([k, v]) => `${k}=${/^[\w./:@,=+-]*$/.test(v) ? v : JSON.stringify(v)}`)
      .join(' ');
    const args = process.argv.slice(2);
    const npmScript = process.env.npm_lifecycle_event;
    const base = npmScript ? `npm run ${npmScript}` : `node ${path.relative(REPO_ROOT, process.argv[1] ?? this.script) || this.script}`;
    const command = [envPrefix, base, npmScript && args.length ? '--' : '', ...args].filter((s) => s !== '').join(' ');
    return {
      command,
      envOverrides: { ...this.env },
      args,
      git: this.gitAtStart,
      startedAt: this.startedAt,
      writtenAt: new Date().toISOString(),
      machine: this.machineAtStart,
      config: this.config,
    };
  }

  /** Writes `{ provenance, ...body }` as pretty JSON (creating the folder) and returns the path. */
  writeResultJson(file: string, body: Record<string, unknown>): string {
    const abs = path.resolve(file);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, `${JSON.stringify({ provenance: this.record, ...body }, null, 2)}\n`);
    return abs;
  }
}
