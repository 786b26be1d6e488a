// The conet spec: the DTO (API) and the trainer task's parser read one table of limits (job/limits.ts) and refuse the
// same values; the kind's own checks (delta xor deltas, exportModel needs retrain, fields of another network kind)
// and the DTO's unknown-metric refusal name the field.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidInputError } from '../../src/common/errors';
import { parseSpec } from '../../src/jobs/parse-spec';
import { conetInput } from '../../src/methods/conet/job/conet.kind';
import { ConetSpec } from '../../src/methods/conet/job/conet-spec.dto';
import { parseConetInput } from '../../src/methods/conet/training/input';

const def = { kind: 'conet', specClass: ConetSpec };
const base = { network: { kind: 'resnet' }, dataset: 'mnist', epochsPerTrial: 2, batchSize: 32, seed: 1 };
const dataset = { kind: 'builtin' as const, name: 'mnist' as const, dataDir: '/nowhere' };
const noIndex = async (): Promise<string> => assert.fail('no index lookup expected');

async function dtoFields(spec: object): Promise<string[]> {
  try {
    await parseSpec(def, spec);
    return [];
  } catch (e) {
    if (e instanceof InvalidInputError) return e.violations.map((v) => v.field);
    throw e;
  }
}

function parserFields(over: object): string[] {
  try {
    parseConetInput({ network: { kind: 'resnet', blocksPerStage: [1, 1, 1], stageChannels: [4, 4, 4] }, dataset, deltas: [0.01], epochsPerTrial: 2, batchSize: 32, seed: 1, ...over });
    return [];
  } catch (e) {
    if (e instanceof InvalidInputError) return e.violations.map((v) => v.field);
    throw e;
  }
}

describe('conet spec: one source of limits, field-named refusals', () => {
  test('DTO and task parser accept and refuse the same epochsPerTrial, phi0, gamma, maxTrials, delta values', async () => {
    const cases: Array<[string, number, boolean]> = [
      ['epochsPerTrial', 1, false], ['epochsPerTrial', 2, true], ['epochsPerTrial', 200, true], ['epochsPerTrial', 201, false],
      ['phi0', 0, false], ['phi0', 0.9, true], ['phi0', 0.91, false],
      ['gamma', 0, false], ['gamma', 1, true],
      ['maxTrials', 0, false], ['maxTrials', 100, true], ['maxTrials', 101, false],
    ];
    for (const [field, value, ok] of cases) {
      const api = await dtoFields({ ...base, [field]: value });
      const task = parserFields({ [field]: value });
      assert.deepEqual(api, ok ? [] : [`spec.${field}`], `DTO ${field}=${value}`);
      assert.deepEqual(task, ok ? [] : [`input.${field}`], `parser ${field}=${value}`);
    }
    for (const [d, ok] of [[-1, true], [1, true], [1.01, false], [-1.5, false]] as const) {
      assert.deepEqual(await dtoFields({ ...base, delta: d }), ok ? [] : ['spec.delta'], `DTO delta=${d}`);
      assert.deepEqual(parserFields({ deltas: [d] }), ok ? [] : ['input.deltas'], `parser delta=${d}`);
    }
  });

  test('weights: restart (default) or transplant; anything else is refused naming the field by both the DTO and the parser', async () => {
    for (const [value, ok] of [['restart', true], ['transplant', true], ['keep', false], [1, false], ['', false]] as const) {
      assert.deepEqual(await dtoFields({ ...base, weights: value }), ok ? [] : ['spec.weights'], `DTO weights=${String(value)}`);
      assert.deepEqual(parserFields({ weights: value }), ok ? [] : ['input.weights'], `parser weights=${String(value)}`);
    }
    assert.equal(parseConetInput({ network: { kind: 'resnet', blocksPerStage: [1, 1, 1], stageChannels: [4, 4, 4] }, dataset, deltas: [0.01], epochsPerTrial: 2, batchSize: 32, seed: 1 }).weights, 'restart');
    const input = await conetInput(await parseSpec(def, { ...base, weights: 'transplant' }), dataset, noIndex);
    assert.equal(input.weights, 'transplant', 'the kind passes weights to the task');
  });

  test('a latency target is accepted (per-layer LUT); an unknown metric is refused naming spec.target.metric', async () => {
    await parseSpec(def, { ...base, target: { metric: 'latency', value: 5 } });
    try {
      await parseSpec(def, { ...base, target: { metric: 'energy', value: 5 } });
      assert.fail('accepted');
    } catch (e) {
      assert.ok(e instanceof InvalidInputError);
      const v = e.violations.find((x) => x.field === 'spec.target.metric');
      assert.ok(v && /must be one of params, flops, latency/.test(v.message), JSON.stringify(e.violations));
    }
  });

  test('the kind refuses delta with deltas, export without retrain, and another kind\'s network fields', async () => {
    const refuse = async (spec: object, field: string): Promise<void> => {
      const s = await parseSpec(def, spec);
      await assert.rejects(conetInput(s, dataset, noIndex), (e: unknown) => e instanceof InvalidInputError && e.violations.some((v) => v.field === field));
    };
    await refuse({ ...base, delta: 0.01, deltas: [0.02] }, 'spec.deltas');
    await refuse({ ...base, retrain: false, exportModel: true }, 'spec.exportModel');
    await refuse({ ...base, network: { kind: 'resnet', C: 8 } }, 'spec.network.C');
    await refuse({ ...base, network: { kind: 'nb201' } }, 'spec.network.arch');
    await refuse({ ...base, network: { kind: 'nb201', arch: '|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|', modelArtifact: '3f0b8a52-6a43-4f7e-9d0c-0a1b2c3d4e5f' } }, 'spec.network.modelArtifact');
    const ok = await conetInput(await parseSpec(def, { ...base, deltas: [0.01, 0.02] }), dataset, noIndex);
    assert.deepEqual(ok.deltas, [0.01, 0.02]);
    assert.deepEqual(ok.network, { kind: 'resnet', blocksPerStage: [1, 1, 1], stageChannels: [16, 32, 64] });
  });
});
