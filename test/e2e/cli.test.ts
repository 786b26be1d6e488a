import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestApp, TestApp } from '../support/harness';

const CLI = path.resolve(__dirname, '../../src/cli/create-team.js');

describe('create-team CLI', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({}, { worker: false });
  });
  after(async () => t?.close());

  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, DATABASE_URL: t.dbUrl }, encoding: 'utf8' });

  test('creates a team and prints a working API key as the last line', async () => {
    const r = run('cli-team');
    assert.equal(r.status, 0, r.stderr);
    const key = r.stdout.trim().split('\n').pop() as string;
    assert.match(key, /^nas_[A-Za-z0-9_-]{20,}$/);
    const me = await fetch(`${t.baseUrl}/v1/me`, { headers: { Authorization: `Bearer ${key}` } });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { name: string }).name, 'cli-team');
  });

  test('refuses a missing name, a bad name and a duplicate, without a stack trace', () => {
    assert.equal(run().status, 2);
    const bad = run('bad name!');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /team name/);
    const dup = run('cli-team');
    assert.equal(dup.status, 1);
    assert.match(dup.stderr, /already exists/);
    assert.doesNotMatch(dup.stderr, /\n\s+at /);
  });
});
