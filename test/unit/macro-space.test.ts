import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadMacroTable } from '../../src/benchmarks/macro/load';
import { loadConfig } from '../../src/config/config';
import { allOf } from '../../src/search/common/evaluator';
import { Rng } from '../../src/common/rng';
import { LayerRecorder, NB201_FLOPS_CONVENTION, countNetwork } from '../../src/search/spaces/cost';
import { CellSearch, runCellSearchSync } from '../../src/search/core';
import {
  MACRO_DISTINCT_NETWORKS,
  MACRO_LAYERS,
  MACRO_SIZE,
  MacroSearchSpace,
  canonicalMacroKey,
  macroCost,
  macroFlopsConstraint,
  macroIndexOfKey,
  macroKeyOf,
} from '../../src/search/spaces/macro';

const space = new MacroSearchSpace();
const table = loadMacroTable(loadConfig().dataDir);
const opsOf = (key: string): number[] => [...key].map(Number);

/**
 * The network of the benchmark's training code written layer by layer for the generic counter of src/search/cost
 * (independent of the closed-form per-block sums in macroCost): stem, 8 searchable layers, head, classifier.
 */
function layerList(key: string): LayerRecorder {
  const rec = new LayerRecorder({ c: 3, h: 32, w: 32 });
  rec.seq('stem', [{ kind: 'conv2d', inChannels: 3, outChannels: 32, kernel: 3, padding: 1 }, { kind: 'batchnorm2d', channels: 32 }, { kind: 'relu' }]);
  let c = 32;
  let l = 0;
  for (const n of [2, 3, 3]) {
    for (let p = 0; p < n; p++, l++) {
      const stride = p === 0 ? 2 : 1;
      const out = p === 0 ? 2 * c : c;
      const op = Number(key[l]);
      if (op === 0) {
        if (stride !== 1 || out !== c) rec.seq(`l${l}`, [{ kind: 'conv2d', inChannels: c, outChannels: out, kernel: 1, stride }, { kind: 'batchnorm2d', channels: out }]);
      } else {
        const [t, k] = op === 1 ? [3, 3] : [6, 5];
        const h = c * t;
        rec.seq(`l${l}`, [
          { kind: 'conv2d', inChannels: c, outChannels: h, kernel: 1 },
          { kind: 'batchnorm2d', channels: h },
          { kind: 'relu' },
          { kind: 'conv2d', inChannels: h, outChannels: h, kernel: k, stride, padding: (k - 1) / 2, groups: h },
          { kind: 'batchnorm2d', channels: h },
          { kind: 'relu' },
          { kind: 'conv2d', inChannels: h, outChannels: out, kernel: 1 },
          { kind: 'batchnorm2d', channels: out },
        ]);
      }
      c = out;
    }
  }
  rec.seq('head', [
    { kind: 'conv2d', inChannels: c, outChannels: 1280, kernel: 1 },
    { kind: 'batchnorm2d', channels: 1280 },
    { kind: 'relu' },
    { kind: 'globalavgpool' },
    { kind: 'flatten' },
    { kind: 'linear', inFeatures: 1280, outFeatures: 10 },
  ]);
  return rec;
}

describe('NAS-Bench-Macro space: costs', () => {
  test('00000000 by hand: params 387,882 and 7,713,280 multiply-adds, as in the table', () => {
    const params =
      (3 * 32 * 9 + 2 * 32) + // stem conv + BN
      (32 * 64 + 2 * 64) + // layer 0: identity at stride 2 = 1x1 conv 32->64 + BN
      (64 * 128 + 2 * 128) + // layer 2
      (128 * 256 + 2 * 256) + // layer 5 (layers 1, 3, 4, 6, 7 are no-op identities)
      (256 * 1280 + 2 * 1280) + // head 1x1 conv + BN
      (1280 * 10 + 10); // classifier
    const flops = 3 * 32 * 9 * 32 * 32 + 32 * 64 * 16 * 16 + 64 * 128 * 8 * 8 + 128 * 256 * 4 * 4 + 256 * 1280 * 4 * 4 + 1280 * 10;
    assert.equal(params, 387882);
    assert.equal(flops, 7713280);
    assert.deepEqual(macroCost(opsOf('00000000')), { params, flops });
    assert.equal(table.params(0), params);
    assert.equal(table.flops(0), flops);
  });

  test('the closed form reproduces params and FLOPs of all 6,561 keys of the table exactly', () => {
    let checked = 0;
    for (let i = 0; i < MACRO_SIZE; i++) {
      const c = macroCost(space.opsOf(i));
      assert.equal(c.params, table.params(i), `params of ${macroKeyOf(i)}`);
      assert.equal(c.flops, table.flops(i), `flops of ${macroKeyOf(i)}`);
      assert.equal(space.flops(i), c.flops);
      assert.equal(space.params(i), c.params);
      checked++;
    }
    assert.equal(checked, 6561);
  });

  test('the generic layer counter agrees: table FLOPs = conv multiply-adds + classifier weights (no BN, no bias adds)', () => {
    for (const key of ['00000000', '22222222', '02012100', '11111221', '20120012', '12000021', '00220110']) {
      const n = countNetwork(layerList(key).layers, NB201_FLOPS_CONVENTION);
      const conv = n.macsByKind.conv2d ?? 0;
      const linearWeights = (n.macsByKind.linear ?? 0) - 10; // the counter adds one bias add per output
      const i = macroIndexOfKey(key);
      assert.equal(n.params, table.params(i), `params of ${key}`);
      assert.equal(conv + linearWeights, table.flops(i), `flops of ${key}`);
      // what the table does NOT count: BN scale-and-shift, global pool
      assert.ok((n.macsByKind.batchnorm2d ?? 0) > 0 && (n.macsByKind.globalavgpool ?? 0) === 1280 * 16);
    }
  });

  test('layer geometry: stride 2 at layers 0, 2, 5; widths 64, 128, 256; feature maps 16, 8, 4', () => {
    assert.deepEqual(
      MACRO_LAYERS.map((l) => `${l.stride}:${l.inChannels}>${l.outChannels}@${l.outResolution}`),
      ['2:32>64@16', '1:64>64@16', '2:64>128@8', '1:128>128@8', '1:128>128@8', '2:128>256@4', '1:256>256@4', '1:256>256@4'],
    );
  });
});

describe('NAS-Bench-Macro space: keys and networks', () => {
  test('encode/decode: index = key read in base 3', () => {
    assert.equal(macroKeyOf(0), '00000000');
    assert.equal(macroKeyOf(6560), '22222222');
    assert.equal(macroIndexOfKey('00000012'), 5);
    assert.equal(macroIndexOfKey('0000001'), -1);
    assert.equal(macroIndexOfKey('00000013'), -1);
    for (let i = 0; i < MACRO_SIZE; i += 97) {
      assert.equal(space.indexOfKey(space.keyOf(i)), i);
      assert.equal(space.indexOf(space.opsOf(i)), i);
    }
    assert.throws(() => space.indexOfKey('x'), RangeError);
  });

  test('canonical key: stride-1 identities move to the end of their stage; stride-2 identities stay', () => {
    assert.equal(canonicalMacroKey('01010101'), '01010110'); // stages 01 | 010 | 101 -> 01 | 010 | 110
    assert.equal(canonicalMacroKey('00002020'), '00020020'); // 00 | 002 | 020 -> 00 | 020 | 020
    assert.equal(canonicalMacroKey('10000000'), '10000000');
    assert.equal(canonicalMacroKey('22212220'), '22212220');
  });

  test('6,561 keys = 3,969 networks, and keys have identical records exactly when they are one network', () => {
    const canon = new Set<number>();
    for (let i = 0; i < MACRO_SIZE; i++) canon.add(space.canonicalIndex(i));
    assert.equal(canon.size, MACRO_DISTINCT_NETWORKS);
    assert.equal(table.networkCount, 3969);
    // group by the stored record (three accuracies, params, FLOPs): the same partition as the canonical keys
    const byRecord = new Map<string, number>();
    for (let i = 0; i < MACRO_SIZE; i++) {
      const sig = `${table.testAccuracies(i).join(',')}|${table.params(i)}|${table.flops(i)}`;
      const c = space.canonicalIndex(i);
      const prev = byRecord.get(sig);
      if (prev === undefined) byRecord.set(sig, c);
      else assert.equal(prev, c, `${macroKeyOf(i)} has the record of another network`);
    }
    assert.equal(byRecord.size, 3969);
    // every member of a network carries the network's record
    for (let id = 0; id < table.networkCount; id++) {
      const rep = table.networkRepresentative(id);
      for (const m of table.networkMembers(id)) assert.equal(table.meanAccuracy(m), table.meanAccuracy(rep));
    }
  });
});

describe('NAS-Bench-Macro space: sampling, mutation, feasibility', () => {
  test('mutate changes exactly one layer to a different op, all 16 neighbours reachable about equally', () => {
    const rng = Rng.fromSeed(3);
    const start = macroIndexOfKey('01201201');
    const counts = new Map<number, number>();
    for (let k = 0; k < 16000; k++) {
      const child = space.mutate(start, rng);
      const a = space.opsOf(start);
      const b = space.opsOf(child);
      assert.equal(a.filter((o, l) => o !== b[l]).length, 1);
      counts.set(child, (counts.get(child) ?? 0) + 1);
    }
    assert.equal(counts.size, 16);
    for (const c of counts.values()) assert.ok(c > 850 && c < 1150, `count ${c}`);
  });

  test('sample is uniform over keys; sampleNetwork is uniform over the 3,969 networks', () => {
    const rng = Rng.fromSeed(5);
    const n = 60000;
    let keysInStage1Identity = 0; // P(layer 1 = identity) = 1/3 over keys
    const nets = new Map<number, number>();
    for (let k = 0; k < n; k++) {
      if (space.opsOf(space.sample(rng))[1] === 0) keysInStage1Identity++;
      const r = space.sampleNetwork(rng);
      assert.equal(space.canonicalIndex(r), r);
      nets.set(r, (nets.get(r) ?? 0) + 1);
    }
    assert.ok(Math.abs(keysInStage1Identity / n - 1 / 3) < 0.01);
    // over networks, stage 3 ends with two identities in 3 of 21 stage patterns... check a marginal instead:
    // P(layers 6 and 7 both identity) over networks = 1/7 (one of the 7 patterns of the two stride-1 layers)
    let bothId = 0;
    for (const [r, c] of nets) if (space.opsOf(r)[6] === 0 && space.opsOf(r)[7] === 0) bothId += c;
    assert.ok(Math.abs(bothId / n - 1 / 7) < 0.01, `${bothId / n}`);
    assert.ok(nets.size > 3900);
  });

  test('FLOPs constraint: feasible iff flops <= budget; a constrained evolution on the space queries only feasible keys', () => {
    const budget = 30e6;
    const c = macroFlopsConstraint(space, budget);
    let feasible = 0;
    for (let i = 0; i < MACRO_SIZE; i++) {
      assert.equal(c.feasible({ index: i, ops: space.opsOf(i) }), table.flops(i) <= budget);
      if (space.feasible(i, budget)) feasible++;
    }
    assert.ok(feasible > 0 && feasible < MACRO_SIZE);
    assert.throws(() => macroFlopsConstraint(space, -1), RangeError);
    const search = CellSearch.start({ space, constraint: allOf([c]) }, { name: 'evolution', populationSize: 20, sampleSize: 5 }, 150, 1);
    runCellSearchSync(search, { description: 'mean accuracy', evaluate: (a) => table.meanAccuracy(a.index) });
    assert.equal(search.queries, 150);
    for (const s of search.evaluatedArchs()) assert.ok(table.flops(s.index) <= budget);
  });
});
