#!/usr/bin/env node
// Runs every compiled test file under dist/test with node's test runner against a real PostgreSQL:
// DATABASE_URL when set, otherwise an embedded PostgreSQL started here (and stopped afterwards).
// Each test file creates its own database on that server, so files cannot see each other's rows.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const root = new URL('..', import.meta.url).pathname;

function files(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.test.js') ? [p] : [];
  });
}

const filter = process.argv.slice(2);
let tests = files(join(root, 'dist', 'test')).sort();
if (filter.length) tests = tests.filter((t) => filter.some((f) => t.includes(f)));

let embedded;
if (!process.env.DATABASE_URL) {
  const { EmbeddedDatabase } = require(join(root, 'dist/src/database/embedded.js'));
  embedded = new EmbeddedDatabase(process.env.TEST_PG_DIR ?? '/tmp/nas-service-test-pg', Number(process.env.TEST_PG_PORT ?? 54330));
  process.env.DATABASE_URL = await embedded.start();
  process.stdout.write(`tests use an embedded PostgreSQL at ${process.env.DATABASE_URL}\n`);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...tests], {
  stdio: 'inherit',
  env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
});
if (embedded) await embedded.stop();
process.exit(r.status ?? 1);
