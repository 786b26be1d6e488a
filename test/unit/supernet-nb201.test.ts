// Weight-sharing NAS-Bench-201 supernet (src/trainer/supernet/nb201-supernet.ts) and the engine pieces the one-shot
// search uses with it: extract() equivalence (before and after expand()), activeParams vs gradients (and the Sgd
// skip of parameters without a gradient), expand()'s mean initialisation and independent copies, parameter count
// against the cost counter, weight averaging (snapshots, EMA, withWeights) and BN recalibration. wasm backend,
// tiny shapes.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { NB201_EDGE_SOURCE, NB201_EDGE_TARGET, parseArchStr } from '../../src/benchmarks/nb201/arch';
import { nb201NetworkLayers } from '../../src/benchmarks/nb201/network';
import { NB201_FLOPS_CONVENTION, countNetwork } from '../../src/search/spaces/cost';
import { Rng } from '../../src/common/rng';
import { OpSpace, fullOpSpace, inOpSpace } from '../../src/search/spaces/op-space';
import { selectBackend } from '../../src/trainer/engine/backend';
import { ImageBatch, recalibrateBatchNorm } from '../../src/trainer/engine/bn-recalibration';
import type { NamedVariable } from '../../src/trainer/engine/network';
import { SnapshotAverage, WeightEma, WeightValues, readWeights, withWeights } from '../../src/trainer/engine/weight-averaging';
import { opKernel } from '../../src/trainer/nb201/forward';
import { Sgd, crossEntropy } from '../../src/trainer/engine/train-loop';
import { Nb201Supernet, Nb201SupernetConfig } from '../../src/trainer/supernet/nb201-supernet';

const CFG: Nb201SupernetConfig = { channels: 3, cellsPerStage: 1, inputShape: [8, 8, 3], numClasses: 4, seed: 2 };
const SGD = { momentum: 0.9, weightDecay: 5e-4, nesterov: true };
const FULL = fullOpSpace(6, 5);

/** Deterministic pseudo-random values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  const r = Rng.fromSeed(seed);
  return Float32Array.from({ length: n }, () => r.next() * 2 - 1);
}

function batch(n: number, seed: number, classes = CFG.numClasses): { x: Float32Array; y: Int32Array; shape: [number, number, number, number] } {
  const [h, w, c] = CFG.inputShape;
  return { x: values(n * h * w * c, seed), y: Int32Array.from({ length: n }, (_, i) => (i + seed) % classes), shape: [n, h, w, c] };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

const byName = (net: Nb201Supernet, name: string): tf.Variable => {
  const v = [...net.params, ...net.buffers].find((p) => p.name === name);
  assert.ok(v, `supernet has ${name}`);
  return v.variable;
};
const read = (v: tf.Variable): Float32Array => Float32Array.from(v.dataSync());

/** Eval-mode logits of the supernet with `ops` selected and of its extract(ops), as flat arrays. */
function bothLogits(net: Nb201Supernet, ops: number[], x: tf.Tensor4D): { supernet: Float32Array; extracted: Float32Array } {
  net.set(ops);
  const sub = net.extract(ops);
  try {
    const supernet = tf.tidy(() => net.forward(x, false).dataSync() as Float32Array);
    const extracted = tf.tidy(() => sub.forward(x, false).dataSync() as Float32Array);
    assert.equal(sub.paramCount(), net.activeParams().reduce((s, p) => s + p.variable.size, 0), `paramCount of ${ops}`);
    return { supernet, extracted };
  } finally {
    sub.dispose();
  }
}

/** Trains `steps` SGD steps, each on a uniformly sampled path of `space`. */
function train(net: Nb201Supernet, sgd: Sgd, rng: Rng, space: OpSpace, steps: number, seed: number): void {
  for (let i = 0; i < steps; i++) {
    net.sample(rng, space);
    const loss = sgd.step(batch(8, seed + i), 0.05, 0);
    assert.ok(Number.isFinite(loss));
  }
}

/**
 * Which conv edges of a path can get a gradient: `valid` when every conv edge reads a node that carries signal (a
 * conv on an all-zero node has exactly zero weight/gamma gradients) and the cell output carries signal; `reaching`
 * per edge when its output is connected to the cell output (node 3).
 */
function analyse(ops: readonly number[]): { valid: boolean; reaching: boolean[] } {
  const live = [true, false, false, false];
  for (let e = 0; e < 6; e++) if (ops[e] !== 0 && live[NB201_EDGE_SOURCE[e]]) live[NB201_EDGE_TARGET[e]] = true;
  const valid = live[3] && ops.every((o, e) => opKernel(o) === 0 || live[NB201_EDGE_SOURCE[e]]);
  const toOut = [false, false, false, true];
  for (let e = 5; e >= 0; e--) if (ops[e] !== 0 && toOut[NB201_EDGE_TARGET[e]]) toOut[NB201_EDGE_SOURCE[e]] = true;
  return { valid, reaching: ops.map((o, e) => o !== 0 && toOut[NB201_EDGE_TARGET[e]]) };
}

/** Names of the parameters with a nonzero gradient of the training-mode loss of the selected path. */
function nonzeroGradients(net: Nb201Supernet, b: ReturnType<typeof batch>): Set<string> {
  const x = tf.tensor4d(b.x, b.shape);
  const onehot = tf.oneHot(tf.tensor1d(b.y, 'int32'), net.numClasses);
  const { value, grads } = tf.variableGrads(() => crossEntropy(onehot, net.forward(x, true, false), 0), net.params.map((p) => p.variable));
  const out = new Set<string>();
  for (const p of net.params) {
    const g = grads[p.variable.name];
    if (g && tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]) > 0) out.add(p.name);
  }
  tf.dispose([x, onehot, value, ...Object.values(grads)]);
  return out;
}

describe('NB201 weight-sharing supernet', () => {
  before(async () => {
    await selectBackend({ force: 'wasm' });
  });

  test('extract(ops) gives the eval-mode logits of the supernet with that path, before and after expand()', () => {
    const net = new Nb201Supernet(CFG);
    const sgd = new Sgd(net, SGD);
    const rng = Rng.fromSeed(5);
    const x = tf.tensor4d(batch(6, 99).x, batch(6, 99).shape);
    // train on random paths so that variants and running statistics differ from their initial values
    train(net, sgd, rng, FULL, 6, 100);
    const pathRng = Rng.fromSeed(6);
    for (let trial = 0; trial < 6; trial++) {
      const ops = FULL.map((o) => o[pathRng.int(o.length)]);
      const { supernet, extracted } = bothLogits(net, ops, x);
      assert.ok(maxAbsDiff(supernet, extracted) < 1e-5, `path ${ops}: ${maxAbsDiff(supernet, extracted)}`);
    }

    const space: OpSpace = [[2, 3], [1, 3], [0, 1, 2, 3, 4], [3, 4], [2], [1, 2]];
    const groups = [[0, 1], [2], [3, 4, 5]];
    // group [0,1]: e0 conv in all 4 partial models, e1 conv in 2; group [3,4,5]: e3 conv in 2 of 4, e4 in 4, e5 in 2;
    // each copied (cell, edge, op) has w, gamma, beta, runMean, runVar; 3 stages x 1 cell
    assert.equal(net.expand(groups, space), (4 + 2 + 2 + 4 + 2) * 3 * 5);
    assert.deepEqual(net.weightGroups(), groups);
    train(net, sgd, rng, space, 8, 200);
    const inside = [3, 3, 4, 3, 2, 2];
    const outside = [
      [3, 2, 4, 3, 2, 2], // group [0,1] partial (3,2) has no copy: shared e0/e1, copies for [3,4,5]
      [2, 1, 0, 4, 2, 0], // copies for [0,1], group [3,4,5] partial (4,2,0) outside: shared
      [0, 4, 1, 1, 3, 3], // nothing inside
    ];
    for (const ops of [inside, [2, 3, 1, 4, 2, 1], ...outside]) {
      const { supernet, extracted } = bothLogits(net, ops, x);
      assert.ok(maxAbsDiff(supernet, extracted) < 1e-5, `path ${ops} (in space: ${inOpSpace(space, ops)}): ${maxAbsDiff(supernet, extracted)}`);
    }
    // the inside path really runs on its copies (which training moved away from the shared weights)
    net.set(inside);
    const active = new Set(net.activeParams().map((p) => p.name));
    assert.ok(active.has('s1.c0.e0.o3@g01:33.w') && !active.has('s1.c0.e0.o3.w'));
    assert.ok(active.has('s2.c0.e5.o2@g345:322.bn.gamma') && !active.has('s2.c0.e5.o2.bn.gamma'));
    const sub = net.extract(inside);
    assert.deepEqual(read(sub.variable('s1.c0.e0.w')), read(byName(net, 's1.c0.e0.o3@g01:33.w')));
    assert.deepEqual(read(sub.variable('s1.c0.e0.bn.runMean')), read(byName(net, 's1.c0.e0.o3@g01:33.bn.runMean')));
    assert.ok(maxAbsDiff(read(byName(net, 's1.c0.e0.o3@g01:33.w')), read(byName(net, 's1.c0.e0.o3.w'))) > 0, 'copy trained apart from shared');
    sub.dispose();
    net.set(outside[0]);
    assert.ok(net.activeParams().some((p) => p.name === 's1.c0.e0.o3.w'), 'outside partial model uses the shared weights');
    x.dispose();
    sgd.dispose();
    net.dispose();
  });

  test('activeParams are exactly the parameters with a nonzero gradient for paths whose conv edges all reach the output', () => {
    const net = new Nb201Supernet(CFG);
    const rng = Rng.fromSeed(11);
    const b = batch(6, 7);
    let checked = 0;
    let partial = 0;
    while (checked < 6) {
      const ops = FULL.map((o) => o[rng.int(o.length)]);
      const { valid, reaching } = analyse(ops);
      if (!valid) continue;
      net.set(ops);
      const active = net.activeParams().map((p) => p.name);
      assert.equal(new Set(active).size, active.length, 'no duplicates');
      const expected = active.filter((n) => {
        const m = /^s\d\.c\d\.e(\d)\./.exec(n);
        return !m || reaching[+m[1]];
      });
      if (expected.length < active.length) partial++;
      assert.deepEqual([...nonzeroGradients(net, b)].sort(), expected.sort(), `path ${ops}`);
      checked++;
    }
    // named cases: every conv edge reaches the output / two conv edges whose node feeds nothing (e5 = none)
    for (const ops of [
      [3, 3, 1, 3, 2, 1],
      [3, 3, 3, 3, 2, 0],
    ]) {
      net.set(ops);
      const { reaching } = analyse(ops);
      const active = net.activeParams().map((p) => p.name);
      const expected = active.filter((n) => {
        const m = /^s\d\.c\d\.e(\d)\./.exec(n);
        return !m || reaching[+m[1]];
      });
      assert.deepEqual([...nonzeroGradients(net, b)].sort(), expected.sort(), `path ${ops}`);
    }
    assert.ok(checked - partial >= 1, 'some sampled path had every conv edge reaching the output');
    // a conv edge reading an all-zero node (e0 = none: node 1 is zero) is active but its conv weight and BN gamma get
    // an exactly zero gradient (input zero; normalised output zero) while its BN beta gets a nonzero one. The
    // gradient exists (as in PyTorch, where the Zero op's output is in the graph), so Sgd decays these weights.
    const zeroInput = [0, 3, 3, 3, 2, 1];
    net.set(zeroInput);
    const grads = nonzeroGradients(net, b);
    for (const s of [0, 1, 2]) {
      for (const e of ['e2.o3', 'e4.o2']) {
        const active = new Set(net.activeParams().map((p) => p.name));
        assert.ok(active.has(`s${s}.c0.${e}.w`) && active.has(`s${s}.c0.${e}.bn.gamma`));
        assert.ok(!grads.has(`s${s}.c0.${e}.w`) && !grads.has(`s${s}.c0.${e}.bn.gamma`), `s${s} ${e}: zero gradient`);
        assert.ok(grads.has(`s${s}.c0.${e}.bn.beta`), `s${s} ${e} beta: nonzero gradient`);
      }
      assert.ok(grads.has(`s${s}.c0.e1.o3.w`) && grads.has(`s${s}.c0.e3.o3.w`));
    }
    net.dispose();
  });

  test('an edge that cannot reach the cell output: in activeParams, no gradient, and Sgd neither moves nor decays it', () => {
    const net = new Nb201Supernet(CFG);
    const sgd = new Sgd(net, SGD);
    const live = [3, 3, 1, 3, 2, 1]; // e1 conv feeds node 2, which e5 (skip) passes on
    const dead = [3, 3, 1, 3, 2, 0]; // e5 = none: node 2 (e1's conv, e2's skip) feeds nothing
    const e1 = ['w', 'bn.gamma', 'bn.beta'].flatMap((t) => [0, 1, 2].map((s) => `s${s}.c0.e1.o3.${t}`));
    // a step where e1 is live gives it a nonzero momentum buffer
    net.set(live);
    sgd.step(batch(8, 1), 0.05, 0);
    for (const n of e1) assert.ok(maxAbsDiff(read(sgd.buffers.get(n) as tf.Variable), new Float32Array(byName(net, n).size)) > 0, `${n} buffer moved`);
    net.set(dead);
    const active = new Set(net.activeParams().map((p) => p.name));
    for (const n of e1) assert.ok(active.has(n), `activeParams lists ${n} (every conv edge of the path)`);
    const grads = nonzeroGradients(net, batch(8, 2));
    for (const n of e1) assert.ok(!grads.has(n), `${n} gets no gradient`);
    const before = readWeights(net.params);
    const buffersBefore = new Map(e1.map((n) => [n, read(sgd.buffers.get(n) as tf.Variable)]));
    sgd.step(batch(8, 2), 0.05, 0);
    for (const n of e1) {
      assert.deepEqual(read(byName(net, n)), before.get(n), `${n} unchanged (no step, no weight decay, no momentum)`);
      assert.deepEqual(read(sgd.buffers.get(n) as tf.Variable), buffersBefore.get(n), `${n} momentum buffer unchanged`);
    }
    for (const n of ['s0.c0.e0.o3.w', 's2.c0.e4.o2.w', 'stem.w', 'classifier.w']) {
      assert.ok(maxAbsDiff(read(byName(net, n)), before.get(n) as Float32Array) > 0, `${n} (on the path, reaching) moved`);
    }
    for (const n of ['s0.c0.e1.o2.w', 's1.c0.e5.o3.w', 's2.c0.e0.o2.bn.beta']) {
      assert.deepEqual(read(byName(net, n)), before.get(n), `${n} (off the path) unchanged`);
      assert.ok(!sgd.buffers.has(n), `${n} has no momentum buffer`);
    }
    sgd.dispose();
    net.dispose();
  });

  test('expand(): copies start at the mean of the variants the new space used; each partial model then trains its own copy', () => {
    const net = new Nb201Supernet(CFG);
    const sgd = new Sgd(net, SGD);
    const rng = Rng.fromSeed(21);
    train(net, sgd, rng, FULL, 4, 300);
    const tails = ['w', 'bn.gamma', 'bn.beta', 'bn.runMean', 'bn.runVar'];
    const snapshot = (): WeightValues => readWeights([...net.params, ...net.buffers]);

    // first expansion: the only variant is the shared one, so copies equal it
    const space1: OpSpace = [[2, 3], [2, 3], [0, 1, 2, 3, 4], [3], [3], [1]];
    let before = snapshot();
    net.expand([[0, 1]], space1);
    for (const s of [0, 1, 2]) {
      for (const [e, op, suffix] of [[0, 2, '22'], [0, 3, '32'], [1, 3, '23'], [1, 2, '32']] as const) {
        for (const t of tails) {
          assert.deepEqual(read(byName(net, `s${s}.c0.e${e}.o${op}@g01:${suffix}.${t}`)), before.get(`s${s}.c0.e${e}.o${op}.${t}`));
        }
      }
    }
    train(net, sgd, rng, space1, 10, 400);

    // second expansion (merged group [0,1,2]) over space2: a copy starts at the mean of the variants that the paths
    // of space2 used so far: e0/op3 was used by partial models (3,2) and (3,3) of group [0,1] -> mean of those two
    // copies; e1/op2 only with e0=3 -> @g01:32; e2 was in no group -> shared
    const space2: OpSpace = [[3], [2, 3], [3], [3], [3], [1]];
    before = snapshot();
    const variants: Record<string, string[]> = {
      'e0.o3': ['@g01:32', '@g01:33'],
      'e1.o2': ['@g01:32'],
      'e1.o3': ['@g01:33'],
      'e2.o3': [''],
    };
    const created = net.expand([[0, 1, 2]], space2);
    // partial models (3,2,3) and (3,3,3): e0 2 copies, e1 2, e2 2; x 3 stages x 5 tensors
    assert.equal(created, 6 * 3 * 5);
    let sawDistinctVariants = false;
    for (const s of [0, 1, 2]) {
      for (const [key, suffix] of [['e0.o3', '323'], ['e0.o3', '333'], ['e1.o2', '323'], ['e1.o3', '333'], ['e2.o3', '323'], ['e2.o3', '333']] as const) {
        const [e, op] = key.split('.');
        for (const t of tails) {
          const vs = variants[key].map((v) => before.get(`s${s}.c0.${e}.${op}${v}.${t}`) as Float32Array);
          const mean = vs[0].map((_, i) => vs.reduce((a, v) => a + v[i], 0) / vs.length);
          const copy = read(byName(net, `s${s}.c0.${e}.${op}@g012:${suffix}.${t}`));
          assert.ok(maxAbsDiff(copy, mean) < 1e-6, `s${s} ${key}@g012:${suffix}.${t}: ${maxAbsDiff(copy, mean)}`);
          if (vs.length > 1 && maxAbsDiff(vs[0], vs[1]) > 1e-4) sawDistinctVariants = true;
        }
      }
    }
    assert.ok(sawDistinctVariants, 'the averaged variants differed (training moved the first copies apart)');

    // one step on path A moves A's copies only; path B's copies in the same group and the shared weights stay
    const A = [3, 2, 3, 3, 3, 1];
    const B = [3, 3, 3, 3, 3, 1];
    sgd.dispose(); // momentum buffers have engine-global names: one Sgd per network at a time
    const sgd2 = new Sgd(net, SGD);
    net.set(A);
    before = snapshot();
    sgd2.step(batch(8, 500), 0.05, 0);
    for (const s of [0, 1, 2]) {
      for (const t of ['w', 'bn.gamma', 'bn.beta']) {
        for (const n of [`e0.o3@g012:333`, `e1.o3@g012:333`, `e2.o3@g012:333`, `e0.o3`, `e1.o2`, `e0.o3@g01:32`, `e1.o2@g01:32`]) {
          const name = `s${s}.c0.${n}.${t}`;
          assert.deepEqual(read(byName(net, name)), before.get(name), `${name} unchanged by a step on path A`);
        }
      }
      for (const n of [`e0.o3@g012:323`, `e1.o2@g012:323`, `e2.o3@g012:323`]) {
        const name = `s${s}.c0.${n}.w`;
        assert.ok(maxAbsDiff(read(byName(net, name)), before.get(name) as Float32Array) > 0, `${name} trained by path A`);
      }
    }
    net.set(B);
    assert.ok(net.activeParams().some((p) => p.name === 's0.c0.e1.o3@g012:333.w'));
    sgd2.dispose();
    net.dispose();
  });

  test('paramCount of an extracted net equals the cost counter for that arch (and the active parameters)', () => {
    const arches = [
      '|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|',
      '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|',
      '|nor_conv_1x1~0|+|avg_pool_3x3~0|skip_connect~1|+|none~0|nor_conv_1x1~1|avg_pool_3x3~2|',
      '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|',
    ];
    // params do not depend on the image size: an 8x8x3 input with 10 classes counts as NB201's cifar10
    const net = new Nb201Supernet({ channels: 4, cellsPerStage: 2, inputShape: [8, 8, 3], numClasses: 10, seed: 1 });
    net.expand([[0, 1, 2]], [[1, 3], [3], [0, 3]]);
    for (const arch of arches) {
      const ops = parseArchStr(arch) as number[];
      const counted = countNetwork(nb201NetworkLayers(ops, 'cifar10', { channels: 4, cellsPerStage: 2 }), NB201_FLOPS_CONVENTION).params;
      const sub = net.extract(ops);
      net.set(ops);
      assert.equal(sub.paramCount(), counted, arch);
      assert.equal(net.activeParams().reduce((s, p) => s + p.variable.size, 0), counted, `${arch} active`);
      sub.dispose();
    }
    net.dispose();
  });

  test('set() validates paths; sample() draws uniformly from the space and selects the path', () => {
    const net = new Nb201Supernet(CFG);
    assert.throws(() => net.set([0, 1, 2]), RangeError);
    assert.throws(() => net.set([0, 1, 2, 3, 4, 5]), RangeError);
    assert.throws(() => net.extract([0, 1, 2, 3, 4, 1.5]), RangeError);
    const space: OpSpace = [[0, 4], [1], [2, 3], [0, 1, 2, 3, 4], [4], [3, 1]];
    const rng = Rng.fromSeed(3);
    const counts = new Map<number, number>();
    for (let i = 0; i < 2000; i++) {
      const ops = net.sample(rng, space);
      assert.ok(inOpSpace(space, ops));
      assert.deepEqual(net.current(), ops);
      counts.set(ops[3], (counts.get(ops[3]) ?? 0) + 1);
    }
    // 5 ops, 2000 draws: expected 400 each, sd 17.9; 100 is 5.6 sd
    for (let o = 0; o < 5; o++) assert.ok(Math.abs((counts.get(o) ?? 0) - 400) < 100, `op ${o}: ${counts.get(o)}`);
    net.dispose();
  });
});

describe('weight averaging', () => {
  const named = (name: string, shape: number[], v: number[]): NamedVariable => ({ name, variable: tf.variable(tf.tensor(v, shape), true, `wa_${name}_${Math.random()}`) });
  const set = (nv: NamedVariable, v: number[]): void => nv.variable.assign(tf.tensor(v, nv.variable.shape));

  test('SnapshotAverage: the mean over K snapshots is the arithmetic mean; late variables count from theirs', () => {
    const a = named('a', [3], [1, 2, 3]);
    const b = named('b', [2, 2], [0, 0, 0, 0]);
    const avg = new SnapshotAverage();
    assert.equal(avg.size, 0);
    const snaps = [
      { a: [1, 2, 3], b: [0.5, -1, 2, 4] },
      { a: [4, -2, 0], b: [1.5, 1, 0, 4] },
      { a: [0.1, 0.2, 0.3], b: [-2, 3, 1, 4] },
    ];
    const c = named('c', [2], [0, 0]);
    snaps.forEach((s, k) => {
      set(a, s.a);
      set(b, s.b);
      set(c, [k * 10, -k]);
      avg.add(k === 0 ? [a, b] : [a, b, c]); // c exists from the second snapshot on
    });
    assert.equal(avg.size, 3);
    const m = avg.mean();
    const mean = (k: 'a' | 'b', i: number): number => snaps.reduce((s, x) => s + x[k][i], 0) / 3;
    assert.ok(maxAbsDiff(m.get('a') as Float32Array, [0, 1, 2].map((i) => mean('a', i))) < 1e-6);
    assert.ok(maxAbsDiff(m.get('b') as Float32Array, [0, 1, 2, 3].map((i) => mean('b', i))) < 1e-6);
    assert.ok(maxAbsDiff(m.get('c') as Float32Array, [(10 + 20) / 2, (-1 - 2) / 2]) < 1e-6);

    const { sums, counts } = avg.export();
    assert.deepEqual(counts, { a: 3, b: 3, c: 2 });
    const back = SnapshotAverage.restore(sums, counts);
    assert.deepEqual(back.mean(), m);
    assert.equal(back.size, 3);
    sums.a[0] = 1e6; // restore copied the sums
    assert.deepEqual(back.mean(), m);
    assert.throws(() => SnapshotAverage.restore({ a: new Float64Array(3) }, {}), RangeError);
    assert.throws(() => SnapshotAverage.restore({ a: new Float32Array(3) as unknown as Float64Array }, { a: 1 }), RangeError);
    [a, b, c].forEach((v) => v.variable.dispose());
  });

  test('withWeights swaps values in for the call and restores them afterwards, also when fn throws', async () => {
    const a = named('a', [2], [1, 2]);
    const b = named('b', [1], [7]);
    const values: WeightValues = new Map([['a', Float32Array.from([9, 8])]]);
    const seen = await withWeights([a, b], values, async () => {
      await new Promise((r) => setImmediate(r));
      return [...read(a.variable), ...read(b.variable)];
    });
    assert.deepEqual(seen, [9, 8, 7]);
    assert.deepEqual([...read(a.variable)], [1, 2]);
    await assert.rejects(
      withWeights([a, b], values, () => {
        assert.deepEqual([...read(a.variable)], [9, 8]);
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.deepEqual([...read(a.variable)], [1, 2]);
    assert.deepEqual([...read(b.variable)], [7]);
    a.variable.dispose();
    b.variable.dispose();
  });

  test('WeightEma: the first update copies, then ema = d ema + (1 - d) w', () => {
    const w = named('w', [2], [1, -4]);
    const ema = new WeightEma(0.9);
    ema.update([w]);
    assert.deepEqual([...(ema.weights().get('w') as Float32Array)], [1, -4]);
    set(w, [3, 6]);
    ema.update([w]);
    assert.ok(maxAbsDiff(ema.weights().get('w') as Float32Array, [0.9 * 1 + 0.1 * 3, 0.9 * -4 + 0.1 * 6]) < 1e-6);
    set(w, [-2, 0]);
    ema.update([w]);
    assert.ok(maxAbsDiff(ema.weights().get('w') as Float32Array, [0.9 * 1.2 + 0.1 * -2, 0.9 * -3 + 0]) < 1e-6);
    assert.deepEqual([...read(w.variable)], [-2, 0], 'the network keeps its own weights');
    assert.throws(() => new WeightEma(1), RangeError);
    assert.throws(() => new WeightEma(0), RangeError);
    w.variable.dispose();
  });
});

describe('BN recalibration', () => {
  test('running statistics become the mean of the per-batch statistics (momentum 1/i), independent of the old ones', () => {
    const net = new Nb201Supernet(CFG);
    const sgd = new Sgd(net, SGD);
    train(net, sgd, Rng.fromSeed(4), FULL, 3, 600);
    const ops = [3, 2, 4, 1, 3, 2];
    net.set(ops);
    const batches: ImageBatch[] = [batch(5, 701), batch(7, 702), batch(4, 703)].map((b) => ({ x: b.x, shape: b.shape }));
    const off = 's1.c0.e2.o3.bn.runMean'; // e2 runs avg_pool on this path: its conv edge's statistics are not touched
    const onPath = (n: string): boolean => {
      const m = /^s\d\.c\d\.e(\d)\.o(\d)\./.exec(n);
      return !m || ops[+m[1]] === +m[2];
    };
    const pathBuffers = (): Map<string, Float32Array> => new Map([...readWeights(net.buffers)].filter(([n]) => onPath(n)));
    const garbage = (value: number): void => {
      for (const b of net.buffers) b.variable.assign(tf.fill(b.variable.shape, value));
    };

    // statistics of each batch alone (momentum 1 on a single batch = that batch's statistics)
    const single = batches.map((b) => {
      garbage(3);
      assert.equal(recalibrateBatchNorm(net, [b]), 1);
      return pathBuffers();
    });
    const names = [...single[0].keys()];
    assert.ok(names.includes('stem.bn.runMean') && names.includes('lastact.bn.runVar') && names.includes('s2.c0.e5.o2.bn.runMean'));
    assert.ok(!names.includes(off));

    for (const start of [5, -2]) {
      garbage(start);
      assert.equal(recalibrateBatchNorm(net, batches), 3);
      const after = pathBuffers();
      for (const n of names) {
        const expected = (single[0].get(n) as Float32Array).map((_, i) => single.reduce((s, m) => s + (m.get(n) as Float32Array)[i], 0) / 3);
        assert.ok(maxAbsDiff(after.get(n) as Float32Array, expected) < 1e-5, `${n} from ${start}: ${maxAbsDiff(after.get(n) as Float32Array, expected)}`);
      }
      assert.deepEqual([...read(byName(net, off))], new Array(6).fill(start), 'statistics of an edge off the path untouched');
    }

    // independent check of the first BN: stem conv output per batch, mean over N, H, W; unbiased variance
    const stemW = byName(net, 'stem.w') as tf.Variable<tf.Rank.R4>;
    const perBatch = batches.map((b) =>
      tf.tidy(() => {
        const h = tf.conv2d(tf.tensor4d(b.x, b.shape), stemW as unknown as tf.Tensor4D, 1, [[0, 0], [1, 1], [1, 1], [0, 0]]);
        const { mean, variance } = tf.moments(h, [0, 1, 2]);
        const n = b.shape[0] * b.shape[1] * b.shape[2];
        return { mean: Float32Array.from(mean.dataSync()), variance: Float32Array.from(tf.mul(variance, n / (n - 1)).dataSync()) };
      }),
    );
    const avg = (k: 'mean' | 'variance'): number[] => [0, 1, 2].map((c) => perBatch.reduce((s, p) => s + p[k][c], 0) / 3);
    assert.ok(maxAbsDiff(read(byName(net, 'stem.bn.runMean')), avg('mean')) < 1e-5);
    assert.ok(maxAbsDiff(read(byName(net, 'stem.bn.runVar')), avg('variance')) < 1e-5);
    sgd.dispose();
    net.dispose();
  });
});
