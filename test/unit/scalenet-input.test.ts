// The scalenet-family trainer task's input parser (src/methods/scalenet/training/input.ts): FLOPs and latency budgets
// are `{f0}` / `{l0}` or `{list}`, kept as given; a non-object or a malformed list is a violation naming the field.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { InvalidInputError } from '../../src/common/errors';
import { parseScaleNetFamilyInput } from '../../src/methods/scalenet/training/input';

const base = { dataset: { kind: 'builtin', name: 'cifar10-subset', dataDir: '/data' } };

const fields = (raw: unknown): string[] => {
  try {
    parseScaleNetFamilyInput(raw);
  } catch (e) {
    assert.ok(e instanceof InvalidInputError);
    return e.violations.map((v) => `${v.field}:${v.rule}`);
  }
  return [];
};

describe('scalenet-family input: budgets and latency budgets', () => {
  test('absent or null budgets are null; {f0}/{l0} and {list} are kept as given', () => {
    const none = parseScaleNetFamilyInput({ ...base, budgets: null });
    assert.equal(none.budgets, null);
    assert.equal(none.maxLatencyMs, null);
    const b = parseScaleNetFamilyInput({ ...base, budgets: { f0: 4e6 }, maxLatencyMs: { list: [2, 4, 8, 16] }, latencyTableFile: '/t.json' });
    assert.deepEqual(b.budgets, { f0: 4e6 });
    assert.deepEqual(b.maxLatencyMs, { list: [2, 4, 8, 16] });
    const c = parseScaleNetFamilyInput({ ...base, budgets: { list: [1e6, 2e6] }, maxLatencyMs: { l0: 3 }, latencyTableFile: '/t.json' });
    assert.deepEqual(c.budgets, { list: [1e6, 2e6] });
    assert.deepEqual(c.maxLatencyMs, { l0: 3 });
  });

  test('a non-object or a list of non-numbers is named; maxLatencyMs needs the table file', () => {
    assert.deepEqual(fields({ ...base, budgets: 4e6 }), ['input.budgets:isObject']);
    assert.deepEqual(fields({ ...base, budgets: [4e6] }), ['input.budgets:isObject']);
    assert.deepEqual(fields({ ...base, maxLatencyMs: 'fast', latencyTableFile: '/t.json' }), ['input.maxLatencyMs:isObject']);
    assert.deepEqual(fields({ ...base, budgets: { list: [1, 'x'] } }), ['input.list:isArray']);
    assert.deepEqual(fields({ ...base, maxLatencyMs: { l0: 3 } }), ['input.latencyTableFile:required']);
  });
});
