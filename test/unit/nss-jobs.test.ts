// NSS job ring and trainer tasks, in-process: the space checks made before a job is created (reachable target,
// supernet size, latency refused), the nss-elite-space task on a tiny MNIST configuration (Elite Space inside the
// Expanded Search Space, exact FLOPs figures, Fig. 3 samples, artefact JSON, exact resume), and nss-arch-search inside
// the Elite Space file and the whole space.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { InvalidInputError, UnprocessableError } from '../../src/common/errors';
import { loadConfig } from '../../src/config/config';
import type { DatasetRef } from '../../src/datasets/dataset-ref';
import { parseEliteSpaceDocument } from '../../src/methods/nss/elite-space-file';
import { nssEliteSpaceInput, nssSearchInput } from '../../src/methods/nss/job/nss.kinds';
import type { NssEliteSpaceSpec, NssSearchSpec } from '../../src/methods/nss/job/nss-spec.dto';
import { SpaceFlops, archFlops, expandedSearchSpace, wholeSpace } from '../../src/methods/nss/science';
import { spaceFlopsRange, supernetParams } from '../../src/methods/nss/space-check';
import { nssArchSearch } from '../../src/methods/nss/training/arch-search.task';
import { NssEliteSpaceResult, nssEliteSpace } from '../../src/methods/nss/training/elite-space.task';
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
  const file = path.join(tmp, 'elite.json');

  test('runs to an Elite Space inside the Expanded Search Space, with exact figures, Fig. 3 samples and the artefact JSON', async () => {
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
    // the artefact document
    const doc = parseEliteSpaceDocument(fs.readFileSync(file, 'utf8'), 'x');
    assert.deepEqual(doc.doc.space, { depths: result.eliteSpace.stages.map((x) => x.depth), widths: result.eliteSpace.stages.map((x) => x.width) });
    assert.equal(doc.doc.targetFlops, TARGET);
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
    const trained = await nssArchSearch.run(taskContext({ ...base, trainEpochs: 1, maxTrainImages: 64 }, path.join(tmp, 'e')).ctx);
    assert.ok(trained.accuracy !== null && trained.accuracy >= 0 && trained.accuracy <= 1);
    assert.equal(trained.training?.steps, 4);
    assert.equal(trained.evidence.evaluation, 'stand-alone-training');
    assert.equal(trained.evidence.schedule.shortened, true);
  });
});
