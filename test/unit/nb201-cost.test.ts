import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { describe, test } from 'node:test';
import { parseArchStr } from '../../src/benchmarks/nb201/arch';
import { readCsvFile } from '../../src/benchmarks/nb201/csv';
import { loadNb201Table } from '../../src/benchmarks/nb201/load';
import { nb201Cost, nb201NetworkLayers } from '../../src/benchmarks/nb201/network';
import { Nb201Dataset } from '../../src/benchmarks/nb201/types';
import { loadConfig } from '../../src/config/config';
import { ALL_LAYERS_CONVENTION, LayerRecorder, NB201_FLOPS_CONVENTION, countNetwork, layerCost } from '../../src/search/spaces/cost';

const NB_DIR = path.join(loadConfig().dataDir, 'nasbench201');
const DATASETS: ReadonlyArray<[Nb201Dataset, string]> = [
  ['cifar10', 'cifar10'],
  ['cifar100', 'cifar100'],
  ['ImageNet16-120', 'imagenet16'],
];

describe('general per-layer cost counter', () => {
  test('conv2d: params and multiply-adds with stride, padding, groups and bias', () => {
    const c = layerCost({ kind: 'conv2d', inChannels: 16, outChannels: 32, kernel: 3, stride: 2, padding: 1 }, { c: 16, h: 32, w: 32 });
    assert.deepEqual(c.output, { c: 32, h: 16, w: 16 });
    assert.equal(c.params, 16 * 32 * 9);
    assert.equal(c.macs, 16 * 32 * 9 * 16 * 16);
    // depthwise 3x3 with bias: groups = channels
    const dw = layerCost({ kind: 'conv2d', inChannels: 8, outChannels: 8, kernel: 3, padding: 1, groups: 8, bias: true }, { c: 8, h: 10, w: 10 });
    assert.equal(dw.params, 8 * 9 + 8);
    assert.equal(dw.macs, (8 * 9 + 8) * 100);
    // rectangular kernel, dilation
    const r = layerCost({ kind: 'conv2d', inChannels: 4, outChannels: 4, kernel: [1, 3], padding: [0, 2], dilation: [1, 2] }, { c: 4, h: 7, w: 7 });
    assert.deepEqual(r.output, { c: 4, h: 7, w: 7 });
    assert.throws(() => layerCost({ kind: 'conv2d', inChannels: 6, outChannels: 4, kernel: 1, groups: 4 }, { c: 6, h: 1, w: 1 }), RangeError);
    assert.throws(() => layerCost({ kind: 'conv2d', inChannels: 3, outChannels: 4, kernel: 1 }, { c: 5, h: 1, w: 1 }), RangeError);
  });

  test('linear, batchnorm, pooling, add', () => {
    assert.deepEqual(layerCost({ kind: 'linear', inFeatures: 64, outFeatures: 10 }, { c: 64, h: 1, w: 1 }), {
      kind: 'linear',
      params: 650,
      macs: 650,
      output: { c: 10, h: 1, w: 1 },
    });
    assert.equal(layerCost({ kind: 'linear', inFeatures: 64, outFeatures: 10, bias: false }, { c: 64, h: 1, w: 1 }).params, 640);
    const b = layerCost({ kind: 'batchnorm2d', channels: 16 }, { c: 16, h: 8, w: 8 });
    assert.equal(b.params, 32);
    assert.equal(b.macs, 16 * 64);
    assert.equal(layerCost({ kind: 'batchnorm2d', channels: 16, affine: false }, { c: 16, h: 8, w: 8 }).params, 0);
    const p = layerCost({ kind: 'avgpool2d', kernel: 2 }, { c: 16, h: 32, w: 32 });
    assert.deepEqual(p.output, { c: 16, h: 16, w: 16 });
    assert.equal(p.macs, 16 * 16 * 16 * 4);
    assert.deepEqual(layerCost({ kind: 'maxpool2d', kernel: 3, stride: 1, padding: 1 }, { c: 2, h: 5, w: 5 }).output, { c: 2, h: 5, w: 5 });
    assert.equal(layerCost({ kind: 'add', inputs: 3 }, { c: 2, h: 2, w: 2 }).macs, 16);
    assert.deepEqual(layerCost({ kind: 'flatten' }, { c: 4, h: 2, w: 2 }).output, { c: 16, h: 1, w: 1 });
  });

  test('conventions select which kinds count; LayerRecorder tracks shapes through branches', () => {
    const net = new LayerRecorder({ c: 3, h: 8, w: 8 });
    net.seq('stem', [
      { kind: 'conv2d', inChannels: 3, outChannels: 4, kernel: 3, padding: 1 },
      { kind: 'batchnorm2d', channels: 4 },
    ]);
    net.path('side', net.shape, [{ kind: 'avgpool2d', kernel: 3, stride: 1, padding: 1 }]);
    net.seq('head', [{ kind: 'globalavgpool' }, { kind: 'flatten' }, { kind: 'linear', inFeatures: 4, outFeatures: 2 }]);
    const nb = countNetwork(net.layers, NB201_FLOPS_CONVENTION);
    const all = countNetwork(net.layers, ALL_LAYERS_CONVENTION);
    assert.equal(nb.params, 3 * 4 * 9 + 8 + 10);
    assert.equal(nb.macs, 3 * 4 * 9 * 64 + 10);
    assert.equal(all.macs, nb.macs + 4 * 64 + 4 * 64 * 9 + 4 * 64);
    assert.equal(all.params, nb.params);
  });
});

describe('NB201 cost model (official get_cost_info convention)', () => {
  test('reproduces params and FLOPs of all 15,625 archs x 3 datasets of nb201_cost_derived.csv.gz exactly', () => {
    const csv = readCsvFile(path.join(NB_DIR, 'nb201_cost_derived.csv.gz'));
    assert.equal(csv.rows.length, 15625);
    const col = (name: string): number => csv.header.indexOf(name);
    let checked = 0;
    for (const row of csv.rows) {
      const ops = parseArchStr(row[col('arch_str')]);
      assert.ok(ops);
      for (const [d, suffix] of DATASETS) {
        const c = nb201Cost(ops, d);
        const flops = row[col(`flops_M_${suffix}`)];
        const params = row[col(`params_M_${suffix}`)];
        // exact equality of the parsed printed values (stronger than "to the printed precision")
        if (c.flopsM !== Number(flops) || c.paramsM !== Number(params)) {
          assert.fail(`index ${row[0]} ${d}: counted ${c.flopsM} MFLOPs / ${c.paramsM} M params, table ${flops} / ${params}`);
        }
        checked++;
      }
    }
    assert.equal(checked, 15625 * 3);
  });

  test('reproduces params and flop of every record of the three official NATS archive files', () => {
    const fx = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(NB_DIR, 'nats_tss_fixture_3archs.json.gz'))).toString('utf8')) as Record<
      string,
      { arch_str: string; hp_12: { results: Array<{ dataset: Nb201Dataset; params: number; flop: number }> }; hp_200: { results: Array<{ dataset: Nb201Dataset; params: number; flop: number }> } }
    >;
    let records = 0;
    for (const rec of Object.values(fx)) {
      const ops = parseArchStr(rec.arch_str)!;
      for (const r of [...rec.hp_12.results, ...rec.hp_200.results]) {
        const c = nb201Cost(ops, r.dataset);
        assert.equal(c.paramsM, r.params, `${rec.arch_str} ${r.dataset} params`);
        assert.equal(c.flopsM, r.flop, `${rec.arch_str} ${r.dataset} flop`);
        records++;
      }
    }
    assert.equal(records, 51);
  });

  test('the loaded table carries the counted values', () => {
    const t = loadNb201Table(NB_DIR);
    for (const i of [0, 1, 6111, 9930, 15624]) {
      for (const [d] of DATASETS) {
        const c = nb201Cost(t.ops(i), d);
        assert.equal(t.flops(i, d), c.flopsM);
        assert.equal(t.params(i, d), c.paramsM);
      }
      assert.equal(t.flops(i, 'cifar10-valid'), t.flops(i, 'cifar10'));
    }
  });

  test('official count excludes BN, pooling and sums: the all-layers count is strictly larger', () => {
    const ops = parseArchStr('|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|')!;
    const layers = nb201NetworkLayers(ops, 'cifar10');
    const nb = countNetwork(layers, NB201_FLOPS_CONVENTION);
    const all = countNetwork(layers, ALL_LAYERS_CONVENTION);
    assert.equal(nb.macs, 15647370);
    assert.ok(all.macs > nb.macs);
    // min and max of the space (PROVENANCE ranges)
    assert.equal(nb201Cost([0, 0, 0, 0, 0, 0], 'cifar10').flopsM, 7.78305);
    assert.equal(nb201Cost([3, 3, 3, 3, 3, 3], 'cifar10').flopsM, 220.11969);
    assert.equal(nb201Cost([3, 3, 3, 3, 3, 3], 'ImageNet16-120').paramsM, 1.538696);
  });
});
