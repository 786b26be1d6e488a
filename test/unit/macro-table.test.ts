import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { MacroDataMissingError, loadMacroTable, resolveMacroDir } from '../../src/benchmarks/macro/load';
import { queryMacro } from '../../src/benchmarks/macro/query';
import { paretoFront, paretoFrontNaive } from '../../src/benchmarks/nb201/pareto';
import { loadConfig } from '../../src/config/config';

const table = loadMacroTable(loadConfig().dataDir);

describe('NAS-Bench-Macro table', () => {
  test('loads all 6,561 keys with the published example record', () => {
    assert.equal(table.size, 6561);
    const i = table.indexOfKey('02012100');
    assert.deepEqual(table.testAccuracies(i), [Math.fround(89.47), Math.fround(88.95), Math.fround(89.17)]);
    assert.equal(table.meanAccuracy(i), 89.19666544596355);
    assert.equal(table.params(i), 890666);
    assert.equal(table.flops(i), 47327744);
    // PROVENANCE ranges: mean accuracy 45.36 % (00000000) .. 93.13 % (22212220)
    const acc = table.meanAccuracyColumn();
    let best = 0;
    let worst = 0;
    for (let k = 1; k < table.size; k++) {
      if (acc[k] > acc[best]) best = k;
      if (acc[k] < acc[worst]) worst = k;
    }
    assert.equal(table.keyOf(worst), '00000000');
    // the best network has two keys (22212220 and 22212202: the stride-1 identity of stage 3 moved)
    assert.equal(table.keyOf(table.networkRepresentative(table.network(best))), '22212220');
    assert.deepEqual(table.networkMembers(table.network(best)).map((k) => table.keyOf(k)), ['22212202', '22212220']);
    assert.equal(acc[best].toFixed(2), '93.13');
  });

  test('a missing folder is a MacroDataMissingError naming it', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'macro-empty-'));
    try {
      assert.throws(() => loadMacroTable(empty), (e: unknown) => e instanceof MacroDataMissingError && e.message.includes(path.join(empty, 'nasbench_macro')));
      assert.equal(resolveMacroDir(empty), path.join(empty, 'nasbench_macro'));
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  test('query: cost filters equal a brute-force scan; sort and limit; distinct gives one key per network', () => {
    const maxFlops = 40e6;
    const maxParams = 1.5e6;
    const r = queryMacro(table, { maxFlops, maxParams, sortBy: 'accuracy', limit: 25 });
    let expected = 0;
    const nets = new Set<number>();
    for (let i = 0; i < table.size; i++) {
      if (table.flops(i) <= maxFlops && table.params(i) <= maxParams) {
        expected++;
        nets.add(table.network(i));
      }
    }
    assert.equal(r.matched, expected);
    assert.equal(r.matchedNetworks, nets.size);
    assert.ok(nets.size < expected);
    assert.equal(r.rows.length, 25);
    for (let k = 1; k < r.rows.length; k++) assert.ok(r.rows[k].accuracy <= r.rows[k - 1].accuracy);
    for (const row of r.rows) assert.ok(row.flops <= maxFlops && row.params <= maxParams);
    const d = queryMacro(table, { maxFlops, maxParams, distinct: true });
    assert.equal(d.matched, nets.size);
    for (const row of d.rows) assert.equal(table.networkRepresentative(row.network), row.index);
    // distinct over given keys keeps the first given key of each network
    const a = table.indexOfKey('01020000');
    const b = table.indexOfKey('00120000'); // same network as 01020000? no: layer 1 differs only in stage 1 -> differ
    const c = table.indexOfKey('02010000'); // 02010000 and 02001000 are one network
    const c2 = table.indexOfKey('02001000');
    assert.equal(table.network(c), table.network(c2));
    const g = queryMacro(table, { indices: [c2, a, c, b], distinct: true });
    assert.deepEqual(g.rows.map((x) => x.index), [c2, a, b]);
    const all = queryMacro(table, { indices: [c2, a, c, b] });
    assert.equal(all.matched, 4);
    assert.equal(all.matchedNetworks, 3);
    const byFlops = queryMacro(table, { sortBy: 'flops', order: 'desc', limit: 3 });
    assert.equal(byFlops.rows[0].flops, Math.max(...table.flopsColumn()));
  });

  test('Pareto front over networks equals the definition over all keys (every equivalent key on the front)', () => {
    const acc = table.meanAccuracyColumn();
    for (const cost of [table.flopsColumn(), table.paramsColumn()]) {
      const front = paretoFront(cost, acc, table.representativeIndices());
      const overKeys = paretoFrontNaive(cost, acc);
      const expanded = front.flatMap((i) => table.networkMembers(table.network(i))).sort((x, y) => x - y);
      assert.deepEqual(expanded, [...overKeys].sort((x, y) => x - y));
      assert.ok(front.length >= 5);
      assert.ok(front.includes(table.indexOfKey('22212220')));
      assert.ok(front.includes(table.indexOfKey('00000000'))); // cheapest network
    }
  });
});
