#!/usr/bin/env node
// Installs the locked dependencies when node_modules is missing or older than package-lock.json,
// so `npm test` and `npm run demo` work on a fresh clone without a separate install step.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const marker = `${root}node_modules/.package-lock.json`;
const lock = `${root}package-lock.json`;
if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  process.stdout.write('installing dependencies (npm ci)...\n');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
