// SIGTERM of a worker process closes the application once: the database pool is ended once (no "Called end on pool
// more than once" at error level) and the process exits 0.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase } from '../support/harness';

const WORKER = path.resolve(__dirname, '../../src/worker.js');

describe('worker shutdown', () => {
  let db: { url: string; drop(): Promise<void> };
  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => db?.drop());

  test('SIGTERM: exit code 0, the pool ended once, nothing logged at error level', async () => {
    const child = spawn(process.execPath, [WORKER], {
      env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'info', WORKER_CONCURRENCY: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
    const deadline = Date.now() + 60_000;
    while (!/pulling jobs/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(out, /pulling jobs/);
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGTERM');
    const { code, signal } = await exited;
    assert.doesNotMatch(out, /Called end on pool more than once/);
    assert.doesNotMatch(out, /"level":(50|60)/, 'no error- or fatal-level log line');
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, out.slice(-2000));
  });
});
