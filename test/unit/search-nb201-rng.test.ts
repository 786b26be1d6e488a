import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/common/rng';
import { gridSpace, neighbours, withOp } from '../../src/search/common/space';

describe('Rng (xoshiro128**)', () => {
  test('matches the reference xoshiro128** output for state [1, 2, 3, 4]', () => {
    // First outputs of the reference C implementation (prng.di.unimi.it) from s = {1, 2, 3, 4}.
    const r = Rng.fromState([1, 2, 3, 4]);
    assert.deepEqual([r.nextU32(), r.nextU32(), r.nextU32()], [11520, 0, 5927040]);
  });

  test('the same seed gives the same stream, different seeds differ', () => {
    const a = Rng.fromSeed(42);
    const b = Rng.fromSeed(42);
    const c = Rng.fromSeed(43);
    const sa = Array.from({ length: 100 }, () => a.nextU32());
    assert.deepEqual(sa, Array.from({ length: 100 }, () => b.nextU32()));
    assert.notDeepEqual(sa, Array.from({ length: 100 }, () => c.nextU32()));
    // seeds above 2^32 use their high bits too
    assert.notEqual(Rng.fromSeed(1).nextU32(), Rng.fromSeed(1 + 2 ** 32).nextU32());
  });

  test('state() round-trips through JSON and continues the same stream', () => {
    const a = Rng.fromSeed(7);
    for (let i = 0; i < 37; i++) a.nextU32();
    const saved = JSON.parse(JSON.stringify(a.state()));
    const b = Rng.fromState(saved);
    for (let i = 0; i < 1000; i++) assert.equal(b.nextU32(), a.nextU32());
    assert.throws(() => Rng.fromState([0, 0, 0, 0]), /all zero/);
    assert.throws(() => Rng.fromState([1, 2, 3] as unknown as [number, number, number, number]), /four/);
    assert.throws(() => Rng.fromState([1, 2, 3, 2 ** 32]), /four/);
  });

  test('int(n) stays in range and is close to uniform', () => {
    const r = Rng.fromSeed(3);
    const counts = new Array<number>(7).fill(0);
    const draws = 70_000;
    for (let i = 0; i < draws; i++) {
      const x = r.int(7);
      assert.ok(Number.isInteger(x) && x >= 0 && x < 7);
      counts[x]++;
    }
    // chi-square with 6 dof: P(X > 22.46) = 0.001
    const e = draws / 7;
    const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
    assert.ok(chi2 < 22.46, `chi2 ${chi2}`);
    const f = r.next();
    assert.ok(f >= 0 && f < 1);
    assert.throws(() => r.int(0), RangeError);
  });

  test('sampleIndices gives k distinct values, shuffle a permutation', () => {
    const r = Rng.fromSeed(9);
    for (const [n, k] of [[10, 3], [30, 10], [30, 30], [100, 40], [5, 0]]) {
      const s = r.sampleIndices(n, k);
      assert.equal(s.length, k);
      assert.equal(new Set(s).size, k);
      assert.ok(s.every((x) => x >= 0 && x < n));
    }
    assert.throws(() => r.sampleIndices(3, 4), RangeError);
    const a = Array.from({ length: 50 }, (_, i) => i);
    assert.deepEqual([...r.shuffle(a.slice())].sort((x, y) => x - y), a);
  });
});

describe('gridSpace', () => {
  test('index <-> ops round trip and the 1-edge neighbourhood', () => {
    const s = gridSpace(3, 4);
    assert.equal(s.size, 64);
    for (let i = 0; i < s.size; i++) assert.equal(s.indexOf(s.opsOf(i)), i);
    const nb = neighbours(s, 0);
    assert.equal(nb.length, 3 * 3);
    for (const j of nb) {
      const diff = s.opsOf(j).filter((o, e) => o !== s.opsOf(0)[e]).length;
      assert.equal(diff, 1);
    }
    assert.deepEqual(s.opsOf(withOp(s, 0, 1, 3)), [0, 3, 0]);
    assert.throws(() => s.indexOf([0, 4, 0]), RangeError);
  });
});
