import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { before, describe, test } from 'node:test';
import { formatArchStr, parseArchStr, parseOpCode } from '../../src/benchmarks/nb201/arch';
import { readCsvFile } from '../../src/benchmarks/nb201/csv';
import { BenchmarkDataMissingError, Nb201Data, loadNb201Table, loadNb201TableAsync, resolveNb201Dir } from '../../src/benchmarks/nb201/load';
import { UnavailableError } from '../../src/common/errors';
import { loadConfig } from '../../src/config/config';

// Real data: NAS_DATA_DIR (or the default data dir). Missing data makes these tests fail, never skip.
const DATA_DIR = loadConfig().dataDir;
const NB_DIR = path.join(DATA_DIR, 'nasbench201');

interface FixtureResult {
  dataset: string;
  seed: string;
  epochs: number;
  params: number;
  flop: number;
  eval_acc1es: Record<string, number>;
}
type Fixture = Record<string, { arch_str: string; hp_12: { results: FixtureResult[] }; hp_200: { results: FixtureResult[] } }>;

function readFixture(): Fixture {
  return JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(NB_DIR, 'nats_tss_fixture_3archs.json.gz'))).toString('utf8')) as Fixture;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('nb201 table loader', () => {
  let t: Nb201Data;
  before(() => {
    assert.ok(fs.existsSync(NB_DIR), `NB201 data directory ${NB_DIR} does not exist (set NAS_DATA_DIR)`);
    t = loadNb201Table(DATA_DIR);
  });

  test('loads all 15,625 archs, 27 devices, 6,466 iso classes; cached per process', () => {
    assert.equal(t.size, 15625);
    assert.equal(t.devices.length, 27);
    assert.ok(t.devices.includes('pixel3') && t.devices.includes('1080ti_1') && t.devices.includes('fpga'));
    assert.equal(t.isoClassCount, 6466);
    assert.equal(loadNb201Table(NB_DIR), t, 'same instance whether given dataDir or the nasbench201 folder');
    assert.equal(resolveNb201Dir(DATA_DIR), NB_DIR);
    assert.equal(t.accuracyMetrics.length, 12);
  });

  test('async loader shares the cached table', async () => {
    assert.equal(await loadNb201TableAsync(DATA_DIR), t);
  });

  test('every arch is indexed by index, arch string, op code and ops, consistently with the CSV', () => {
    const csv = readCsvFile(path.join(NB_DIR, 'nb201_accuracy.csv.gz'));
    const h = (name: string): number => csv.header.indexOf(name);
    const seen = new Set<string>();
    for (const row of csv.rows) {
      const i = Number(row[h('index')]);
      const s = row[h('arch_str')];
      assert.equal(t.archStr(i), s);
      assert.equal(t.indexOfArchStr(s), i);
      assert.equal(t.opCode(i), row[h('op_code')]);
      assert.equal(t.indexOfOpCode(row[h('op_code')]), i);
      assert.equal(t.indexOfOps(t.ops(i)), i);
      assert.equal(formatArchStr(t.ops(i)), s);
      assert.deepEqual(parseArchStr(s), [...t.ops(i)]);
      assert.equal(t.isoClassKey(t.isoClass(i)), row[h('iso_unique_str')]);
      assert.equal(t.accuracy(i, 'cifar10', 'test', 200), Number(row[h('cifar10_test_acc_200ep')]));
      assert.equal(t.accuracy(i, 'ImageNet16-120', 'valid', 12), Number(row[h('imagenet16_valid_acc_12ep')]));
      seen.add(s);
    }
    assert.equal(seen.size, 15625);
    assert.equal(t.indexOfArchStr('|nor_conv_3x3~0|+|bogus~0|'), -1);
    assert.equal(t.indexOfOps([0, 0, 0]), -1);
    assert.equal(t.indexOfOpCode('555555'), -1);
    assert.equal(parseOpCode('012343')?.join(''), '012343');
    assert.throws(() => t.archStr(15625), RangeError);
  });

  test('iso classes group isomorphic archs (members share the key, sizes sum to 15,625)', () => {
    let total = 0;
    for (let c = 0; c < t.isoClassCount; c++) {
      const m = t.isoClassMembersOf(c);
      total += m.length;
      for (const i of m) assert.equal(t.isoClass(i), c);
    }
    assert.equal(total, 15625);
    // the all-`none` cell and a cell whose only path is cut share the "no path" class with other disconnected cells
    const allNone = t.indexOfOpCode('000000');
    assert.ok(t.isoClassMembersOf(t.isoClass(allNone)).length > 1);
  });

  test('sanity values from PROVENANCE.md', () => {
    const best = (d: 'cifar10' | 'cifar100' | 'ImageNet16-120' | 'cifar10-valid', s: 'test' | 'valid'): number => {
      const col = t.accuracyColumn(d, s, 200)!;
      let b = 0;
      for (let i = 1; i < t.size; i++) if (col[i] > col[b]) b = i;
      return b;
    };
    assert.equal(best('cifar10', 'test'), 6111);
    assert.equal(t.accuracy(6111, 'cifar10', 'test', 200).toFixed(5), '94.37333');
    assert.equal(best('cifar100', 'test'), 9930);
    assert.equal(best('ImageNet16-120', 'test'), 857);
    assert.equal(t.accuracy(best('cifar10-valid', 'valid'), 'cifar10-valid', 'valid', 200).toFixed(5), '91.60667');
    assert.equal(t.accuracy(best('cifar100', 'valid'), 'cifar100', 'valid', 200).toFixed(5), '73.49333');
    assert.equal(t.accuracy(best('ImageNet16-120', 'valid'), 'ImageNet16-120', 'valid', 200).toFixed(5), '46.73333');
    const resnet = t.indexOfArchStr('|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|');
    assert.equal(resnet, 11472);
    assert.equal(t.accuracy(resnet, 'cifar10', 'test', 200).toFixed(2), '93.91');
    // metrics the tables do not hold are NaN
    assert.ok(Number.isNaN(t.accuracy(0, 'cifar10-valid', 'test', 200)));
    assert.ok(Number.isNaN(t.accuracy(0, 'cifar10', 'valid', 200)));
    assert.ok(Number.isNaN(t.latency(0, 'no-such-device')));
    assert.deepEqual(t.seedValidAccuracies(0, 'cifar10'), []);
  });

  test('per-seed, 200-epoch and 12-epoch values equal the official NATS records of archs 0, 11, 284', () => {
    const fx = readFixture();
    const keyOf: Record<string, string> = { 'cifar10-valid': 'x-valid@199', cifar100: 'x-valid@199', 'ImageNet16-120': 'x-valid@199' };
    for (const [idx, rec] of Object.entries(fx)) {
      const i = Number(idx);
      assert.equal(t.archStr(i), rec.arch_str);
      for (const d of ['cifar10-valid', 'cifar100', 'ImageNet16-120'] as const) {
        const runs = rec.hp_200.results.filter((r) => r.dataset === d).sort((a, b) => a.seed.localeCompare(b.seed));
        assert.deepEqual(t.seedValidAccuracies(i, d), runs.map((r) => r.eval_acc1es[keyOf[d]]), `seeds of ${i} ${d}`);
        assert.ok(Math.abs(t.accuracy(i, d, 'valid', 200) - mean(runs.map((r) => r.eval_acc1es[keyOf[d]]))) < 1e-9);
      }
      const c10 = rec.hp_200.results.filter((r) => r.dataset === 'cifar10').map((r) => r.eval_acc1es['ori-test@199']);
      assert.ok(Math.abs(t.accuracy(i, 'cifar10', 'test', 200) - mean(c10)) < 1e-9, `cifar10 test200 of ${i}`);
      const c100 = rec.hp_200.results.filter((r) => r.dataset === 'cifar100').map((r) => r.eval_acc1es['x-test@199']);
      assert.ok(Math.abs(t.accuracy(i, 'cifar100', 'test', 200) - mean(c100)) < 1e-9, `cifar100 test200 of ${i}`);
      const c10_12 = rec.hp_12.results.filter((r) => r.dataset === 'cifar10').map((r) => r.eval_acc1es['ori-test@11']);
      assert.ok(Math.abs(t.accuracy(i, 'cifar10', 'test', 12) - mean(c10_12)) < 1e-9, `cifar10 test12 of ${i}`);
    }
  });

  test('per-seed counts: 8,169 archs with 3 runs and 7,456 with 2', () => {
    let three = 0;
    let two = 0;
    for (let i = 0; i < t.size; i++) {
      const n = t.seedValidAccuracies(i, 'cifar10-valid').length;
      if (n === 3) three++;
      else if (n === 2) two++;
    }
    assert.deepEqual([three, two], [8169, 7456]);
  });

  test('latencies are index-aligned with the HELP table', () => {
    const csv = readCsvFile(path.join(NB_DIR, 'nb201_latency_help.csv.gz'));
    const col = csv.header.indexOf('pixel3_ms');
    const row = csv.rows[1234];
    assert.equal(t.latency(Number(row[0]), 'pixel3'), Number(row[col]));
    assert.equal(t.latency(0, 'samsung_s7'), 29);
  });

  test('a missing directory throws BenchmarkDataMissingError naming it (a 503 UnavailableError)', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'nb201-empty-'));
    try {
      assert.throws(
        () => loadNb201Table(empty),
        (e: unknown) =>
          e instanceof BenchmarkDataMissingError &&
          e instanceof UnavailableError &&
          e.status === 503 &&
          e.directory === path.join(empty, 'nasbench201') &&
          e.message.includes(path.join(empty, 'nasbench201')) &&
          e.missingFiles.includes('nb201_accuracy.csv.gz'),
      );
      return assert.rejects(loadNb201TableAsync(empty), BenchmarkDataMissingError);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
