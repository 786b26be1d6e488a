import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../../src/config/config';
import { RunProvenance } from '../../benchmarks/common/provenance';

function scripts(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? (e.name === 'results' ? [] : scripts(p)) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('benchmark provenance', () => {
  test('the JSON starts with command (env overrides), commit, dirty flag, timestamps, machine and full config', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prov-'));
    const saved = { ...process.env };
    try {
      for (const k of ['NAS_DATA_DIR', 'LOG_LEVEL', 'TRAINER_BACKEND', 'NODE_OPTIONS', 'UV_THREADPOOL_SIZE']) delete process.env[k];
      process.env.MY_BENCH_SEEDS = '7';
      process.env.DATABASE_URL = 'postgres://user:secret@127.0.0.1:5432/db';
      delete process.env.npm_lifecycle_event;
      const prov = new RunProvenance('dist/benchmarks/x/run.js', ['MY_BENCH_SEEDS', 'MY_BENCH_UNSET'], { seeds: 7, budgets: [1, 2] });
      const file = prov.writeResultJson(path.join(dir, 'sub', 'out.json'), { results: [1] });
      const j = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown> & { provenance: ReturnType<() => RunProvenance['record']> };
      assert.deepEqual(Object.keys(j), ['provenance', 'results']);
      const p = j.provenance;
      assert.match(p.command, /^DATABASE_URL="postgres:\/\/user:\*\*\*@127\.0\.0\.1:5432\/db" MY_BENCH_SEEDS=7 node \S+$/);
      assert.doesNotMatch(JSON.stringify(p), /secret/, 'credentials are redacted');
      assert.equal(p.envOverrides.MY_BENCH_SEEDS, '7');
      assert.equal('MY_BENCH_UNSET' in p.envOverrides, false);
      assert.match(p.git.commit ?? '', /^[0-9a-f]{40}$/, 'run inside the repository checkout');
      assert.equal(typeof p.git.dirty, 'boolean');
      assert.ok(!Number.isNaN(Date.parse(p.startedAt)) && !Number.isNaN(Date.parse(p.writtenAt)));
      assert.equal(p.machine.cpus, os.cpus().length);
      assert.equal(p.machine.node, process.version);
      assert.ok(p.machine.memoryGiB > 0 && p.machine.os.length > 0 && p.machine.cpuModel.length > 0);
      assert.deepEqual(p.config, { seeds: 7, budgets: [1, 2] });
      process.env.npm_lifecycle_event = 'bench:x';
      assert.match(new RunProvenance('dist/benchmarks/x/run.js', []).record.command, /npm run bench:x$/);
    } finally {
      process.env = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every script in benchmarks/ writes its JSON through the provenance writer', () => {
    const root = path.join(REPO_ROOT, 'benchmarks');
    const all = scripts(root);
    assert.ok(all.length >= 6, `found only ${all.length} files under ${root}`);
    for (const f of all) {
      const src = fs.readFileSync(f, 'utf8');
      const rel = path.relative(REPO_ROOT, f);
      if (rel === path.join('benchmarks', 'common', 'provenance.ts')) continue;
      assert.doesNotMatch(src, /writeFileSync\([^)]*JSON\.stringify|writeFileSync\([^,]*\.json/, `${rel} writes JSON without the provenance writer`);
      if (/\.json['`]/.test(src) && /writeFileSync|writeResultJson/.test(src)) assert.match(src, /RunProvenance/, `${rel} writes results without RunProvenance`);
    }
  });
});
