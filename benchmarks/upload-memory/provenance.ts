import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { REPO_ROOT } from '../../src/config/config';

/** Where a benchmark figure comes from: command, commit, time, machine and the configuration it ran with. */
export interface Provenance {
  command: string;
  commit: string;
  dirty: boolean;
  time: string;
  machine: { hostname: string; platform: string; cpus: number; cpuModel: string; totalMemBytes: number; node: string };
  config: Record<string, string | number | boolean>;
}

export function provenance(config: Record<string, string | number | boolean>): Provenance {
  const git = (...args: string[]): string => {
    try {
      return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    command: [process.argv0, ...process.argv.slice(1).map((a) => a.replace(REPO_ROOT, '.'))].join(' '),
    commit: git('rev-parse', 'HEAD'),
    dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
    time: new Date().toISOString(),
    machine: { hostname: os.hostname(), platform: `${os.platform()} ${os.release()}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', totalMemBytes: os.totalmem(), node: process.version },
    config,
  };
}
