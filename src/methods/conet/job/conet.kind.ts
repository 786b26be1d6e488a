/**
 * Job kind `conet`: CONet channel-size search (trainer task `conet`) on a ResNet preset, an NB201 cell network or
 * the network of a `model` artefact, for one δ or a δ sweep, in a trainer child process; checkpointed after every
 * trial and retrain, resumable, cancellable; the retrained final network exported as a `model` artefact
 * (TensorFlow.js LayersModel bundle, src/methods/conet/formats.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ArtifactInputRef } from '../../../artifacts/artifact-kinds';
import { InvalidInputError, violation } from '../../../common/errors';
import type { DatasetRef } from '../../../datasets/dataset-ref';
import type { JobKindDefinition } from '../../../jobs/job-kind';
import type { TrainerCheckpoint, TrainerKindDeps } from '../../../trainer/trainer-job';
import { createTrainerKind } from '../../../trainer/trainer-kind';
import { CONET_BUNDLE_FORMAT, CONET_BUNDLE_MEDIA_TYPE, CONET_INPUT_FORMATS } from '../formats';
import { CONET_TASK } from '../tasks';
import { CONET_LATENCY_SPACE } from '../science/targets';
import { LATENCY_TABLE_MEDIA_TYPE, latencyCacheMeta } from '../../../trainer/latency/latency-job';
import { ConetNetworkInput, ConetTaskInput, parseConetInput } from '../training/input';
import type { ConetResult } from '../training/conet.task';
import { ConetResultDto } from './conet-result.dto';
import { CONET_RESNET_DEFAULT, ConetSpec } from './conet-spec.dto';

export const CONET_KIND = 'conet';
export { CONET_TASK };

export interface ConetKindDeps extends Pick<TrainerKindDeps, 'trainer' | 'storageDir' | 'dataDir' | 'resolveDataset'> {
  archStrOfIndex(index: number): Promise<string>;
}

const bad = (field: string, rule: string, message: string): never => {
  throw new InvalidInputError(`invalid spec for kind ${CONET_KIND}: ${field}: ${message}`, [violation(field, rule, message)]);
};

/** Renames the task's `input.<field>` violations to `spec.<field>`. */
function underSpec(e: unknown): never {
  if (e instanceof InvalidInputError) {
    const v = e.violations.map((x) => ({ ...x, field: x.field.replace(/^input\./, 'spec.') }));
    throw new InvalidInputError(`invalid spec for kind ${CONET_KIND}: ${v.map((x) => `${x.field}: ${x.message}`).join('; ')}`, v);
  }
  throw e;
}

async function networkInput(spec: ConetSpec, archStrOfIndex: (i: number) => Promise<string>): Promise<ConetNetworkInput> {
  const n = spec.network;
  const only = (allowed: readonly string[]): void => {
    for (const k of ['blocksPerStage', 'stageChannels', 'arch', 'C', 'N', 'modelArtifact'] as const) {
      if (n[k] !== undefined && !allowed.includes(k)) bad(`spec.network.${k}`, 'notForKind', `${k} does not apply to network kind ${n.kind}`);
    }
  };
  if (n.kind === 'resnet') {
    only(['blocksPerStage', 'stageChannels']);
    return {
      kind: 'resnet',
      blocksPerStage: (n.blocksPerStage ?? CONET_RESNET_DEFAULT.blocksPerStage) as [number, number, number],
      stageChannels: (n.stageChannels ?? CONET_RESNET_DEFAULT.stageChannels) as [number, number, number],
    };
  }
  if (n.kind === 'nb201') {
    only(['arch', 'C', 'N']);
    if (n.arch === undefined) bad('spec.network.arch', 'isDefined', 'arch is required for network kind nb201');
    const arch = typeof n.arch === 'number' ? await archStrOfIndex(n.arch) : (n.arch as string);
    const out: ConetNetworkInput = { kind: 'nb201', arch, C: n.C as number, N: n.N as number };
    if (n.C === undefined) delete (out as { C?: number }).C;
    if (n.N === undefined) delete (out as { N?: number }).N;
    return out;
  }
  only(['modelArtifact']);
  if (n.modelArtifact === undefined) bad('spec.network.modelArtifact', 'isDefined', 'modelArtifact is required for network kind artifact');
  return { kind: 'model-file', path: null, artifactId: n.modelArtifact as string };
}

/** The trainer task's input for a spec (export path and model file filled in by beforeRun); checked by the task's own parser. */
export async function conetInput(spec: ConetSpec, dataset: DatasetRef, archStrOfIndex: (i: number) => Promise<string>): Promise<ConetTaskInput> {
  if (spec.delta !== undefined && spec.deltas !== undefined) bad('spec.deltas', 'exclusive', 'give delta or deltas, not both');
  if (spec.exportModel === true && spec.retrain === false) bad('spec.exportModel', 'needsRetrain', 'the exported model is the retrained final network: exportModel needs retrain');
  const input: ConetTaskInput = {
    network: await networkInput(spec, archStrOfIndex),
    dataset,
    deltas: spec.deltas ?? [spec.delta ?? 0.0075],
    epochsPerTrial: spec.epochsPerTrial,
    batchSize: spec.batchSize,
    seed: spec.seed,
  };
  // optional fields as given (left out: the task's defaults, the same limits.ts defaults)
  for (const k of ['mu', 'gamma', 'phi0', 'maxTrials', 'minChannels', 'maxChannels', 'vote', 'stopRule', 'spectrum', 'weights', 'lr', 'momentum', 'weightDecay', 'maxTrainImages', 'maxTestImages', 'retrain', 'retrainEpochs', 'targetRule'] as const) {
    if (spec[k] !== undefined) (input as Record<string, unknown>)[k] = spec[k];
  }
  if (spec.target) input.target = { metric: spec.target.metric, value: spec.target.value };
  try {
    const parsed = parseConetInput(input);
    if (parsed.network.kind === 'nb201') input.network = parsed.network;
  } catch (e) {
    underSpec(e);
  }
  return input;
}

const wantsExport = (spec: ConetSpec): boolean => spec.exportModel ?? spec.retrain !== false;

export function createConetKind(deps: ConetKindDeps): JobKindDefinition<ConetSpec, ConetResult, TrainerCheckpoint> {
  return createTrainerKind(deps, {
    kind: CONET_KIND,
    summary:
      'CONet (Hosseini et al.): optimise the channel sizes of a network (ResNet preset for 32x32 images, NB201 cell network, or a model ' +
      'artefact of another job) from the rank growth of its learned weights: trials of a few epochs, EVBMF ranks, shrink/expand per ' +
      'channel group (Alg. 2), for one delta or a sweep; retrained test accuracy, trade-off curve, the final network exported as a ' +
      'TensorFlow.js LayersModel artefact. Checkpointed per trial, resumable; shortened schedules are stated.',
    specClass: ConetSpec,
    resultClass: ConetResultDto,
    task: CONET_TASK,
    phase: 'search',
    input: (spec, dataset) => conetInput(spec, dataset, deps.archStrOfIndex),
    artifactInputs: (spec): ArtifactInputRef[] =>
      spec.network.kind === 'artifact' && spec.network.modelArtifact
        ? [{ field: 'spec.network.modelArtifact', id: spec.network.modelArtifact, kinds: ['model'], formats: CONET_INPUT_FORMATS }]
        : [],
    async beforeRun(input, ctx, jobDir) {
      const artifacts = ctx.artifacts;
      if (input.network.kind === 'model-file') {
        if (!artifacts) throw new Error(`${CONET_KIND}: spec.network.modelArtifact needs a job context with artifacts`);
        input.network = { ...input.network, path: (await artifacts.input(input.network.artifactId)).path };
      }
      if (wantsExport(ctx.spec) && artifacts) input.exportModel = path.join(jobDir, 'conet-model.json');
      if (input.target?.metric === 'latency') {
        // the team's per-layer latency table, if any; the task measures the layers it lacks and writes the grown table
        const cached = artifacts?.findCached ? await artifacts.findCached('latency-table', latencyCacheMeta(CONET_LATENCY_SPACE), 'latencyTable') : null;
        input.latencyTableFile = cached?.path ?? null;
        if (artifacts) input.exportLatencyTable = path.join(jobDir, 'latency-table.json');
      }
    },
    async afterRun(res, input, ctx): Promise<ConetResult & { modelArtifactId?: string; latencyTableArtifactId?: string }> {
      let result: ConetResult & { latencyTableArtifactId?: string } = res;
      if (ctx.artifacts && input.exportLatencyTable && res.latency && res.latency.measuredNow > 0 && fs.existsSync(input.exportLatencyTable)) {
        const created = await ctx.artifacts.create({
          kind: 'latency-table',
          name: `latency table ${CONET_LATENCY_SPACE} (${res.latency.backend}, ${res.latency.entries} layers)`,
          mediaType: LATENCY_TABLE_MEDIA_TYPE,
          file: input.exportLatencyTable,
          meta: { ...latencyCacheMeta(CONET_LATENCY_SPACE), backend: res.latency.backend, threads: res.latency.threads, machine: res.latency.machine, entries: res.latency.entries },
        });
        result = { ...res, latencyTableArtifactId: created.id };
      }
      if (!input.exportModel || !ctx.artifacts) return result;
      const n = result.network;
      const created = await ctx.artifacts.create({
        kind: 'model',
        name: `conet ${n.kind === 'resnet' ? `resnet ${n.blocksPerStage.join('-')}` : `nb201 ${n.arch}`} delta=${result.final.delta} on ${result.dataset}`,
        mediaType: CONET_BUNDLE_MEDIA_TYPE,
        file: input.exportModel,
        meta: {
          format: CONET_BUNDLE_FORMAT,
          network: { ...n },
          groupSizes: result.final.sizes,
          params: result.final.params,
          flops: result.final.flops,
          numClasses: result.numClasses,
          imageShape: result.imageShape,
          dataset: result.dataset,
          delta: result.final.delta,
          testAccuracy: result.final.testAccuracy,
          shortened: result.schedule.shortened,
        },
      });
      return { ...result, modelArtifactId: created.id };
    },
  });
}
