// NSS job ring and trainer tasks, in-process: the space checks made before a job is created (reachable target,
// supernet size, latency refused), the nss-elite-space task on a tiny MNIST configuration (Elite Space inside the
// Expanded Search Space, exact FLOPs figures, Fig. 3 samples, the artefact with the supernet weights, exact resume),
// and nss-arch-search inside the Elite Space file (candidates evaluated on its stored weights; missing, corrupt or
// ill-fitting weights are a 422 naming spec.eliteSpace; a format-1 file has no weights) and the whole space.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { InvalidInputError, UnprocessableError } from '../../src/common/errors';
import { loadConfig } from '../../src/config/config';
import type { DatasetRef } from '../../src/datasets/dataset-ref';
import { NSS_ELITE_SPACE_FORMAT, NSS_ELITE_SPACE_FORMAT_V1, encodeEliteSpaceFile, readEliteSpaceFile } from '../../src/methods/nss/elite-space-file';
import { nssEliteSpaceInput, nssSearchInput } from '../../src/methods/nss/job/nss.kinds';
import type { NssEliteSpaceSpec, NssSearchSpec } from '../../src/methods/nss/job/nss-spec.dto';
import { SpaceFlops, archFlops, expandedSearchSpace, wholeSpace } from '../../src/methods/nss/science';
import { spaceFlopsRange, supernetParams } from '../../src/methods/nss/space-check';
import { nssArchSearch } from '../../src/methods/nss/training/arch-search.task';
import { NssEliteSpaceResult, nssEliteSpace } from '../../src/methods/nss/training/elite-space.task';
import { firstImages, loadDatasetRef } from '../../src/datasets/dataset-ref';
import { BatchStream, trainValidStreams } from '../../src/datasets/pipeline';
import { evaluateArchs } from '../../src/methods/nss/training/search';
import { NssSupernet } from '../../src/methods/nss/training/supernet';
import { loadSupernetWeights } from '../../src/methods/nss/training/supernet-weights';
import { taskContext } from '../support/task-context';

const MNIST: DatasetRef = { kind: 'builtin', name: 'mnist', dataDir: loadConfig().dataDir };
const CIFAR: DatasetRef = { kind: 'builtin', name: 'cifar10-subset', dataDir: loadConfig().dataDir };
/** small preset at 28x28x1: 0.25 .. 73.0 MFLOPs. */
const TARGET = 8_000_000;
const TINY = { dataset: MNIST, preset: 'small', targetFlops: TARGET, lambda: 1, epochs: 2, warmupFraction: 0.5, batchSize: 16, seed: 5, n: 5, maxTrainImages: 64, evalImages: 32, archSamples: 2, checkpointEvery: 1, progressEvery: 1 };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nss-jobs-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function fieldOf(e: unknown): string[] {
  return e instanceof InvalidInputError || e instanceof UnprocessableError ? e.violations.map((v) => v.field) : [];
}

describe('NSS space checks (before a job is created)', () => {
  test('min and max FLOPs of the whole space from the extremes equal the exact enumeration (small preset, two input shapes)', () => {
    for (const shape of [[32, 32, 3], [28, 28, 1]] as Array<[number, number, number]>) {
      const s = expandedSearchSpace('small', shape, 10);
      const exact = new SpaceFlops(s, wholeSpace(s));
      assert.deepEqual(spaceFlopsRange(s), { min: exact.min, max: exact.max });
    }
  });

  test('the paper preset supernet is far over the CPU trainer limit, the small one under it', () => {
    assert.ok(supernetParams(expandedSearchSpace('paper', [32, 32, 3], 10)) > 200e6);
    assert.ok(supernetParams(expandedSearchSpace('small', [32, 32, 3], 10)) < 1e6);
  });

  const spec = (o: Partial<NssEliteSpaceSpec>): NssEliteSpaceSpec => ({ dataset: 'mnist', preset: 'small', targetFlops: TARGET, epochs: 1, seed: 1, ...o }) as NssEliteSpaceSpec;
  const cases: Array<[string, Partial<NssEliteSpaceSpec>, typeof InvalidInputError | typeof UnprocessableError, string]> = [
    ['target above every network (73 MF max at 28x28)', { targetFlops: 90e6 }, InvalidInputError, 'spec.targetFlops'],
    ['target below every network', { targetFlops: 200_000 }, InvalidInputError, 'spec.targetFlops'],
    ['latency and FLOPs targets together', { targetLatencyMs: 5 }, InvalidInputError, 'spec.targetLatencyMs'],
    ['latency target not positive', { targetFlops: undefined, targetLatencyMs: 0 }, InvalidInputError, 'spec.targetLatencyMs'],
    ['no target', { targetFlops: undefined }, InvalidInputError, 'spec.targetFlops'],
    ['paper preset (supernet too large)', { preset: 'paper', targetFlops: 600e6 }, UnprocessableError, 'spec.preset'],
    ['unknown preset', { preset: 'huge' as 'small' }, InvalidInputError, 'spec.preset'],
  ];
  for (const [name, o, cls, field] of cases) {
    test(`nss-elite-space refuses: ${name} -> ${field}`, () => {
      assert.throws(() => nssEliteSpaceInput(spec(o), MNIST), (e) => e instanceof cls && fieldOf(e).includes(field));
    });
  }
  test('a reachable target just inside +-10 % of the largest network is accepted', () => {
    assert.equal(nssEliteSpaceInput(spec({ targetFlops: 73_018_944 * 1.09 }), MNIST).targetFlops, 73_018_944 * 1.09);
    assert.throws(() => nssEliteSpaceInput(spec({ targetFlops: 73_018_944 * 1.12 }), MNIST), (e) => fieldOf(e).includes('spec.targetFlops'));
  });
  test('nss-search without eliteSpace needs a preset; its target is checked against the whole space', () => {
    const s = (o: Partial<NssSearchSpec>): NssSearchSpec => ({ dataset: 'cifar10-subset', targetFlops: 12e6, seed: 1, ...o }) as NssSearchSpec;
    assert.throws(() => nssSearchInput(s({}), CIFAR), (e) => fieldOf(e).includes('spec.preset'));
    assert.throws(() => nssSearchInput(s({ preset: 'small', targetFlops: 200e6 }), CIFAR), (e) => fieldOf(e).includes('spec.targetFlops'));
    assert.equal(nssSearchInput(s({ preset: 'small' }), CIFAR).targetFlops, 12e6);
  });
});

describe('nss-elite-space task (tiny MNIST run, in-process)', () => {
  let result: NssEliteSpaceResult;
  const file = path.join(tmp, 'elite.nsw');

  test('runs to an Elite Space inside the Expanded Search Space, with exact figures, Fig. 3 samples and the artefact file with the supernet weights', async () => {
    const r = taskContext({ ...TINY, exportEliteSpace: file }, path.join(tmp, 'a'));
    result = await nssEliteSpace.run(r.ctx);
    const s = expandedSearchSpace('small', [28, 28, 1], 10);
    assert.equal(result.schedule.steps, 2 * 2, '32 weight images / batch 16 = 2 steps x 2 epochs');
    assert.equal(result.schedule.trainImages + result.schedule.thetaImages, 64);
    assert.equal(result.curve.length, 2);
    assert.deepEqual(result.curve.map((c) => c.warmup), [true, false]);
    // the Elite Space is one of the candidates, the closest to the target
    const devs = result.candidates.map((c) => c.deviation);
    assert.equal(result.candidates.length, 5);
    assert.equal(result.eliteSpace.flops.deviationOfMean, Math.min(...devs));
    for (const st of result.eliteSpace.stages) {
      assert.equal(st.depth[1] - st.depth[0] + 1, 2);
      assert.equal(st.width[1] - st.width[0] + 1, 8);
    }
    const exact = new SpaceFlops(s, { depths: result.eliteSpace.stages.map((x) => x.depth), widths: result.eliteSpace.stages.map((x) => x.width) });
    assert.equal(result.eliteSpace.flops.mean, exact.mean);
    assert.equal(result.eliteSpace.flops.histogram.counts.reduce((a, b) => a + b, 0), 4096);
    assert.equal(result.table1.eliteSpace.archs, 4096);
    assert.equal(result.table1.expandedSearchSpace.archs, 128 ** 3);
    assert.equal(result.table1.eliteSpace.within, exact.countBetween(TARGET * 0.9, TARGET * 1.1));
    // Theta: per stage probabilities summing to 1
    for (const t of result.theta) {
      assert.ok(Math.abs(t.depthProbabilities.reduce((a, b) => a + b, 0) - 1) < 1e-9);
      assert.ok(Math.abs(t.widthProbabilities.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    }
    // Fig. 3 samples: in their space, exact FLOPs, accuracies measured on 32 images
    assert.equal(result.samples.eliteSpace.length, 2);
    assert.equal(result.samples.expandedSearchSpace.length, 2);
    for (const a of result.samples.eliteSpace) {
      a.depths.forEach((d, i) => assert.ok(d >= result.eliteSpace.stages[i].depth[0] && d <= result.eliteSpace.stages[i].depth[1]));
      a.widths.forEach((w, i) => assert.ok(w >= result.eliteSpace.stages[i].width[0] && w <= result.eliteSpace.stages[i].width[1]));
      assert.equal(a.flops, archFlops(s, a));
      assert.ok(a.accuracy >= 0 && a.accuracy <= 1 && Number.isInteger(a.accuracy * 32));
    }
    assert.equal(result.evidence.evaluation, 'supernet');
    assert.equal(result.schedule.shortened, true);
    assert.ok(result.notes.some((n) => /SHORTENED/.test(n)));
    // progress: phase, temperature and expected FLOPs
    assert.ok(r.progress.some((p) => p.detail?.nssPhase === 'warm-up') && r.progress.some((p) => p.detail?.nssPhase === 'search'));
    assert.ok(r.progress.every((p) => typeof p.detail?.temperature === 'number' && typeof p.detail?.expectedFlops === 'number'));
    // the artefact: the document and every tensor of the searched supernet (parameters and BN statistics)
    const doc = readEliteSpaceFile(file, 'x');
    assert.equal(doc.doc.format, NSS_ELITE_SPACE_FORMAT);
    assert.deepEqual(doc.doc.space, { depths: result.eliteSpace.stages.map((x) => x.depth), widths: result.eliteSpace.stages.map((x) => x.width) });
    assert.equal(doc.doc.targetFlops, TARGET);
    assert.equal(doc.doc.supernet?.steps, 4);
    assert.equal(doc.doc.supernet?.trainImages, result.schedule.trainImages);
    const fresh = new NssSupernet(s, 99);
    try {
      assert.equal(Object.keys(doc.weights ?? {}).length, fresh.params.length + fresh.buffers.length);
      assert.equal(doc.doc.supernet?.params, fresh.paramCount());
      // trained weights, not an initialisation
      const k = `p:${fresh.params[1].name}`;
      assert.notDeepEqual(Array.from(doc.weights?.[k] ?? []), Array.from(fresh.params[1].variable.dataSync()));
    } finally {
      fresh.dispose();
    }
  });

  test('a run cancelled after its second step and resumed from its checkpoint ends with the same Theta, Elite Space and accuracies', async () => {
    const dir = path.join(tmp, 'b');
    const first = taskContext(TINY, dir, null, 2);
    await assert.rejects(nssEliteSpace.run(first.ctx));
    assert.ok(first.checkpoints.length >= 1);
    const last = first.checkpoints[first.checkpoints.length - 1];
    const second = taskContext(TINY, dir, { path: last.path, step: last.step });
    const resumed = await nssEliteSpace.run(second.ctx);
    assert.equal(resumed.resumedFromStep, last.step);
    const stepsRun = second.progress.filter((p) => /step \d+\/4/.test(p.message ?? '')).map((p) => p.step);
    assert.ok(stepsRun.length > 0 && stepsRun.every((k) => k > last.step), `the resumed run did only the steps after ${last.step}: ${stepsRun}`);
    assert.deepEqual(resumed.theta, result.theta);
    assert.deepEqual(resumed.eliteSpace, result.eliteSpace);
    assert.deepEqual(resumed.samples, result.samples);
    assert.deepEqual(resumed.curve, result.curve);
  });

  test('nss-arch-search inside the Elite Space file and inside the whole space: #samples, deviation, exact 1/p; short training gives an accuracy', async () => {
    const base = { dataset: MNIST, preset: 'small', targetFlops: TARGET, seed: 2, n: 5, maxSamples: 10_000, trainEpochs: 0, batchSize: 16, lr: 0.05, evalImages: 32, progressEvery: 1 };
    const inElite = await nssArchSearch.run(taskContext({ ...base, eliteSpaceFile: file, eliteSpaceId: 'x' }, path.join(tmp, 'c')).ctx);
    const inWhole = await nssArchSearch.run(taskContext(base, path.join(tmp, 'd')).ctx);
    assert.equal(inElite.searchedIn, 'elite-space');
    assert.equal(inElite.space.networks, 4096);
    assert.equal(inWhole.space.networks, 128 ** 3);
    // the whole space at 8 MF has hits (exact count) and the seeded search finds one
    assert.ok(inWhole.architecture && inWhole.exact.within > 0);
    for (const r of [inElite, inWhole]) {
      assert.equal(r.accuracy, null);
      assert.equal(r.closestOfN.n, 5);
      if (r.architecture) {
        assert.ok(r.architecture.deviation <= 0.1);
        assert.ok(r.architecture.samples >= 1);
        assert.ok(r.exact.p > 0, 'a hit was drawn, so the exact count is positive');
      }
      if (r.exact.p > 0) assert.ok(r.exact.expectedSamples !== null && Math.abs(r.exact.expectedSamples * r.exact.p - 1) < 1e-9);
      else assert.equal(r.exact.expectedSamples, null);
      assert.equal(r.exact.p, r.exact.within / r.space.networks);
    }
    assert.equal(inWhole.supernetEvaluation, null);
    const trained = await nssArchSearch.run(taskContext({ ...base, trainEpochs: 1, maxTrainImages: 64 }, path.join(tmp, 'e')).ctx);
    assert.ok(trained.accuracy !== null && trained.accuracy >= 0 && trained.accuracy <= 1);
    assert.equal(trained.training?.steps, 4);
    assert.equal(trained.evidence.evaluation, 'stand-alone-training');
    assert.equal(trained.evidence.schedule.shortened, true);
  });

  const searchBase = { dataset: MNIST, preset: 'small', targetFlops: TARGET, seed: 2, n: 5, maxSamples: 10_000, trainEpochs: 0, batchSize: 16, lr: 0.05, maxTrainImages: 64, evalImages: 32, recalBatches: 2, progressEvery: 1 };

  test('nss-arch-search inside the Elite Space evaluates every candidate on the supernet weights stored in the artefact, and says so', async () => {
    const r = await nssArchSearch.run(taskContext({ ...searchBase, eliteSpaceFile: file, eliteSpaceId: 'elite-1' }, path.join(tmp, 'f')).ctx);
    const ev = r.supernetEvaluation;
    assert.ok(ev, 'a format-2 artefact gives a supernet evaluation');
    assert.equal(ev.weights.source, 'elite-space-artifact');
    assert.equal(ev.weights.artifactId, 'elite-1');
    assert.equal(ev.weights.steps, 4);
    assert.match(ev.description, /shared weights stored in the elite-space artefact elite-1/);
    assert.equal(ev.candidates.filter((c) => c.role === 'draw').length, 5);
    assert.equal(ev.candidates.filter((c) => c.role === 'architecture').length, r.architecture ? 1 : 0);
    const within = ev.candidates.filter((c) => c.withinTolerance);
    assert.deepEqual(ev.bestWithinTolerance, within.length ? within.reduce((a, b) => (b.accuracy > a.accuracy ? b : a)) : null);
    // the same evaluation done here from the file's weights gives the same losses (so the job used those weights)
    const doc = readEliteSpaceFile(file, 'x');
    const net = new NssSupernet(doc.space, 123);
    try {
      loadSupernetWeights(net, doc.weights ?? {}, 'x');
      const ds = loadDatasetRef(MNIST);
      const streams = trainValidStreams(firstImages(ds.train, 64), { validFraction: 0, seed: 2, batchSize: 16 });
      const recal = [...streams.train.epoch(0)].slice(0, 2).map((b) => ({ x: b.x.slice(), shape: [...b.shape] as [number, number, number, number] }));
      const test32 = firstImages(ds.test, 32);
      const stream = new BatchStream(test32, { indices: Uint32Array.from({ length: 32 }, (_, i) => i), batchSize: 256, seed: 2, stats: streams.stats, shuffle: false });
      const mine = await evaluateArchs(net, ev.candidates, () => recal, stream);
      assert.deepEqual(mine.map((m) => m.loss), ev.candidates.map((c) => c.loss));
      assert.deepEqual(mine.map((m) => m.accuracy), ev.candidates.map((c) => c.accuracy));
    } finally {
      net.dispose();
    }
  });

  test('a missing, corrupt or ill-fitting weights file is a 422 naming spec.eliteSpace; a format-1 file runs without supernet accuracies', async () => {
    const bytes = fs.readFileSync(file);
    const corrupt = path.join(tmp, 'corrupt.nsw');
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 5] ^= 0xff; // a byte of the last weight tensor
    fs.writeFileSync(corrupt, flipped);
    const doc = readEliteSpaceFile(file, 'x');
    const short = path.join(tmp, 'short.nsw');
    const weights = { ...(doc.weights ?? {}) };
    const dropped = Object.keys(weights).find((k) => k.startsWith('p:s2.')) as string;
    delete weights[dropped];
    const { format: _f, ...rest } = doc.doc;
    fs.writeFileSync(short, encodeEliteSpaceFile({ ...rest, supernet: doc.doc.supernet! }, weights));
    const cases: Array<[string, string, RegExp]> = [
      ['missing file', path.join(tmp, 'absent.nsw'), /cannot be read: ENOENT/],
      ['checksum mismatch', corrupt, /supernet weights are corrupt: .*checksum mismatch/],
      ['truncated', (fs.writeFileSync(path.join(tmp, 'trunc.nsw'), bytes.subarray(0, bytes.length - 100)), path.join(tmp, 'trunc.nsw')), /supernet weights are corrupt/],
      ['a tensor missing', short, new RegExp(`tensor ${dropped.replace(/[.]/g, '[.]')} is missing`)],
    ];
    for (const [name, f, msg] of cases) {
      await assert.rejects(
        nssArchSearch.run(taskContext({ ...searchBase, eliteSpaceFile: f, eliteSpaceId: 'y' }, path.join(tmp, `g-${name}`)).ctx),
        (e) => e instanceof UnprocessableError && fieldOf(e).includes('spec.eliteSpace') && msg.test(e.message),
        name,
      );
    }
    const v1 = path.join(tmp, 'v1.json');
    fs.writeFileSync(v1, JSON.stringify({ ...rest, format: NSS_ELITE_SPACE_FORMAT_V1 }));
    const r = await nssArchSearch.run(taskContext({ ...searchBase, eliteSpaceFile: v1, eliteSpaceId: 'z' }, path.join(tmp, 'h')).ctx);
    assert.equal(r.searchedIn, 'elite-space');
    assert.equal(r.supernetEvaluation, null);
    assert.ok(r.notes.some((n) => /without supernet weights/.test(n)));
  });
});
