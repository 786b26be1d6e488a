/**
 * Job kind `scalenet-family` (ScaleNet, Xie et al. 2022): a searched model family S0..S_generaliseTo from one
 * super-supernet, in a trainer child process (task `scalenet-family`), checkpointed and resumable; progress over SSE.
 * The trained supernet becomes a `supernet` artefact (reusable by a later job's `spec.supernet`), the family a
 * `model-family` JSON artefact; both become visible when the job succeeds. Bad specs are 4xx naming the field before
 * any job is created (spec DTO, then familyProblem: preset, M, eta/pi, budgets within reach; latency budgets within the
 * reach of the team's cached latency tables of the space, or clearly out of a probe's reach, see latency-reach.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidInputError } from '../../../common/errors';
import { isBuiltinDatasetName } from '../../../datasets/formats';
import type { ArtifactInputRef } from '../../../artifacts/artifact-kinds';
import type { JobContext, JobKindDefinition, ValidationServices } from '../../../jobs/job-kind';
import { TrainerCheckpoint, TrainerKindDeps, checkDatasetRef, trainerDatasetRef, trainerRunOptions } from '../../../trainer/trainer-job';
import { familyProblem } from '../science/problem';
import { latencyBudgets, latencySpaceId, presetLatencyUnits } from '../science/latency';
import { presetByName, ScaleNetPreset, ScalingSpace, scalingSpace } from '../science/space';
import { LatencyTableSource, ensureLatencyTable } from '../../../trainer/latency/latency-job';
import type { BudgetMode } from '../science/mcea';
import type { ScaleNetFamilyInput } from '../training/input';
import type { ScaleNetFamilyResult } from '../training/family.task';
import { SCALENET_MEMBER_FORMAT, SCALENET_MEMBER_MEDIA_TYPE } from '../formats';
import { SCALENET_FAMILY_DEFAULTS as D } from './limits';
import { checkCachedLatencyReach, checkProbedLatencyReach, probeStageFastestMs } from './latency-reach';
import { ScaleNetFamilySpec } from './scalenet-family-spec.dto';
import { ScaleNetFamilyResultDto } from './scalenet-family-result.dto';

export const SCALENET_FAMILY_KIND = 'scalenet-family';
const TASK = 'scalenet-family';
/** Media type of the supernet file (the trainer's checkpoint container: JSON header + typed arrays). */
const SUPERNET_MEDIA_TYPE = 'application/vnd.nas.checkpoint';

export type ScaleNetKindDeps = Pick<TrainerKindDeps, 'trainer' | 'storageDir' | 'dataDir' | 'resolveDataset'>;
export type ScaleNetFamilyJobResult = Omit<ScaleNetFamilyResult, 'latency'> & {
  artifacts: { supernet: string | null; family: string | null; members: Array<{ stage: number; model: string }> };
  latency?: ScaleNetFamilyResult['latency'] & { table: LatencyTableSource };
};

/** Channels and classes of the job's images (the preset is adapted to them, and so are the latency units). */
function imageChannels(ref: TaskInput['dataset']): { inChannels: number; classes: number } {
  if (ref.kind === 'builtin') return { inChannels: ref.name === 'cifar10-subset' ? 3 : 1, classes: 10 };
  return { inChannels: ref.format === 'cifar10-binary' ? 3 : 1, classes: 10 };
}

/** The preset adapted to the job's images and its scaling space: what the latency table is measured for. */
function latencySpaceOf(input: TaskInput): { preset: ScaleNetPreset; space: ScalingSpace } {
  const preset = { ...presetByName(input.preset), ...imageChannels(input.dataset) };
  return { preset, space: scalingSpace(preset, input.M) };
}

type Optional = 'supernetFile' | 'exportSupernet' | 'exportFamily' | 'exportMembers' | 'maxTrainImages' | 'maxTestImages';
type TaskInput = Omit<ScaleNetFamilyInput, Optional> & Partial<Pick<ScaleNetFamilyInput, Optional>>;

/** Checks the spec's cross-field consistency (InvalidInputError naming spec.<field>) and returns the task input. */
export function scaleNetInput(spec: ScaleNetFamilySpec, dataset: TaskInput['dataset']): TaskInput {
  const M = spec.M ?? D.M;
  const input: TaskInput = {
    dataset,
    preset: (spec.preset ?? D.preset) as TaskInput['preset'],
    M,
    budgets: spec.budgets ? { ...(spec.budgets.f0 !== undefined ? { f0: spec.budgets.f0 } : {}), ...(spec.budgets.list ? { list: spec.budgets.list } : {}) } : null,
    sampler: (spec.sampler ?? D.sampler) as TaskInput['sampler'],
    eta: spec.eta ?? null,
    pi: spec.pi ?? null,
    epochs: spec.epochs ?? D.epochs,
    batchSize: spec.batchSize ?? D.batchSize,
    lr: spec.lr ?? D.lr,
    momentum: D.momentum,
    weightDecay: D.weightDecay,
    warmupEpochs: spec.warmupEpochs ?? D.warmupEpochs,
    seed: spec.seed ?? D.seed,
    validFraction: D.validFraction,
    evalImages: spec.evalImages ?? D.evalImages,
    recalBatches: spec.recalBatches ?? D.recalBatches,
    f0Samples: spec.f0Samples ?? D.f0Samples,
    tolerance: spec.tolerance ?? D.tolerance,
    budgetMode: (spec.budgetMode ?? D.budgetMode) as BudgetMode,
    generaliseTo: spec.generaliseTo ?? D.generaliseTo,
    generalisation: (spec.generalisation ?? D.generalisation) as TaskInput['generalisation'],
    T: spec.T ?? D.T,
    K: spec.K ?? D.K,
    P: spec.P ?? D.P,
    N: spec.N ?? D.N,
    checkpointEvery: D.checkpointEvery,
    progressEvery: D.progressEvery,
    retrainEpochs: spec.retrainEpochs ?? D.retrainEpochs,
    retrainLr: spec.retrainLr ?? D.retrainLr,
  };
  if (spec.maxTrainImages !== undefined) input.maxTrainImages = spec.maxTrainImages;
  if (spec.maxTestImages !== undefined) input.maxTestImages = spec.maxTestImages;
  if (spec.maxLatencyMs) input.maxLatencyMs = { ...(spec.maxLatencyMs.l0 !== undefined ? { l0: spec.maxLatencyMs.l0 } : {}), ...(spec.maxLatencyMs.list ? { list: spec.maxLatencyMs.list } : {}) };
  familyProblem(input, 'spec.');
  return input;
}

export function createScaleNetFamilyKind(deps: ScaleNetKindDeps): JobKindDefinition<ScaleNetFamilySpec, ScaleNetFamilyJobResult, TrainerCheckpoint> {
  const checkpointDirOf = (jobId: string): string => path.join(deps.storageDir, 'checkpoints', jobId);
  /** Latency probes of this process by space id (the machine does not change; a failed probe is dropped). */
  const probes = new Map<string, Promise<Awaited<ReturnType<typeof probeStageFastestMs>>>>();
  return {
    kind: SCALENET_FAMILY_KIND,
    summary:
      'ScaleNet (Xie et al. 2022): one super-supernet trained with hierarchical stage sampling (HSS) over base models and scaling ' +
      'strategies, MCEA search of a base model and strategies S_1..S_M under budgets f_j = 2^j f0, generalisation to S_5 (Eq. 9). ' +
      'Returns the family table with exact FLOPs/params and supernet (proxy, shortened-schedule) accuracies, and the supernet and ' +
      'family as artefacts; optionally retrains every member from scratch and stores it as a TensorFlow.js LayersModel (`model` artefact).',
    specClass: ScaleNetFamilySpec,
    resultClass: ScaleNetFamilyResultDto,

    async validate(spec: ScaleNetFamilySpec, team: { id: string }, lookup?: ValidationServices): Promise<void> {
      checkDatasetRef(spec.dataset);
      const input = scaleNetInput(spec, await trainerDatasetRef(deps, team.id, spec.dataset));
      if (input.maxLatencyMs && lookup) {
        const req = { ...latencySpaceOf(input), M: input.M, budgetsMs: latencyBudgets(input.maxLatencyMs, input.M, 'spec.maxLatencyMs'), field: 'spec.maxLatencyMs' };
        if (await checkCachedLatencyReach(lookup.artifacts, req)) return;
        const key = latencySpaceId(req.preset, req.M);
        let probe = probes.get(key);
        if (!probe) {
          probe = probeStageFastestMs(deps.trainer, path.join(deps.storageDir, 'probes'), req);
          probes.set(key, probe);
          void probe.then((r) => {
            if (!r) probes.delete(key); // a failed probe is tried again by the next submission
          });
        }
        const measured = await probe;
        if (measured) checkProbedLatencyReach(req, measured);
      }
    },

    datasetId(spec: ScaleNetFamilySpec): string | null {
      return isBuiltinDatasetName(spec.dataset) ? null : spec.dataset;
    },

    artifactInputs(spec: ScaleNetFamilySpec): ArtifactInputRef[] {
      return spec.supernet ? [{ field: 'spec.supernet', id: spec.supernet, kinds: ['supernet'] }] : [];
    },

    async run(ctx: JobContext<ScaleNetFamilySpec, TrainerCheckpoint>): Promise<ScaleNetFamilyJobResult> {
      checkDatasetRef(ctx.spec.dataset);
      const input = scaleNetInput(ctx.spec, await trainerDatasetRef(deps, ctx.teamId, ctx.spec.dataset));
      const dir = checkpointDirOf(ctx.jobId);
      const artifacts = ctx.artifacts;
      if (ctx.spec.supernet) {
        if (!artifacts) throw new InvalidInputError('spec.supernet needs a job context with artefacts');
        input.supernetFile = (await artifacts.input(ctx.spec.supernet)).path;
      }
      if (artifacts) {
        input.exportFamily = path.join(dir, 'family.json');
        if (!ctx.spec.supernet) input.exportSupernet = path.join(dir, 'supernet.ckpt');
        if (input.retrainEpochs > 0) input.exportMembers = path.join(dir, 'members');
      }
      let tableSource: LatencyTableSource | null = null;
      if (input.maxLatencyMs) {
        const { preset, space } = latencySpaceOf(input);
        const lut = await ensureLatencyTable(deps, ctx, dir, {
          space: latencySpaceId(preset, input.M),
          inputShape: [preset.resolution, preset.resolution, preset.inChannels],
          units: () => presetLatencyUnits(preset, space),
          field: 'spec.maxLatencyMs',
        });
        input.latencyTableFile = lut.file;
        tableSource = lut.source;
      }
      const out = await deps.trainer.run<TaskInput, ScaleNetFamilyResult>(TASK, input, trainerRunOptions(ctx, dir, 'scalenet'));
      const { latency, ...rest } = out;
      const result = { ...rest, ...(latency && tableSource ? { latency: { ...latency, table: tableSource } } : {}) };
      const ids: ScaleNetFamilyJobResult['artifacts'] = { supernet: null, family: null, members: [] };
      if (artifacts && input.exportSupernet) {
        ids.supernet = (
          await artifacts.create({
            kind: 'supernet',
            name: `scalenet super-supernet (${result.preset.name}, M=${input.M}, ${result.supernet.sampler}) on ${result.dataset.name}`,
            mediaType: SUPERNET_MEDIA_TYPE,
            file: input.exportSupernet,
            meta: { format: 'scalenet-supernet/1', method: 'scalenet', preset: result.preset.name, M: input.M, sampler: result.supernet.sampler, epochs: result.supernet.epochs, dataset: result.dataset.name, imageShape: result.dataset.imageShape, shortened: true },
          })
        ).id;
      }
      if (artifacts && input.exportFamily) {
        ids.family = (
          await artifacts.create({
            kind: 'model-family',
            name: `scalenet family S0..S${result.family.length - 1} (${result.preset.name}) on ${result.dataset.name}`,
            mediaType: 'application/json',
            file: input.exportFamily,
            meta: { format: 'scalenet-model-family/1', method: 'scalenet', preset: result.preset.name, members: result.family.length, budgets: result.budgets.list, flops: result.family.map((m) => m.flops), proxy: true, shortened: true },
          })
        ).id;
      }
      for (const m of result.retrain?.members ?? []) {
        if (!artifacts || !m.file) continue;
        const row = result.family.find((f) => f.stage === m.stage);
        const created = await artifacts.create({
          kind: 'model',
          name: `scalenet S${m.stage} (${result.preset.name}, retrained ${input.retrainEpochs} epoch(s)) on ${result.dataset.name}`,
          mediaType: SCALENET_MEMBER_MEDIA_TYPE,
          file: m.file,
          meta: { format: SCALENET_MEMBER_FORMAT, method: 'scalenet', preset: result.preset.name, stage: m.stage, flops: row?.flops, params: row?.params, resolution: row?.resolution, testAccuracy: m.testAccuracy, epochs: input.retrainEpochs, dataset: result.dataset.name, shortened: true },
        });
        ids.members.push({ stage: m.stage, model: created.id });
      }
      return { ...result, retrain: result.retrain ? { ...result.retrain, members: result.retrain.members.map((m) => ({ ...m, file: null })) } : null, artifacts: ids };
    },

    onTerminal(jobId: string): void {
      fs.rmSync(checkpointDirOf(jobId), { recursive: true, force: true });
    },
  };
}
