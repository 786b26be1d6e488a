/**
 * Job kinds of NSS (src/trainer/trainer-kind.ts: checkpoint folder, clean-up, dataset resolved once):
 * - `nss-elite-space`: the NSS search to an Elite Space (trainer task nss-elite-space), saved as an `elite-space` artefact;
 * - `nss-search`: NAS inside an Elite Space (by artefact id) or the whole Expanded Search Space (trainer task nss-arch-search).
 */
import * as path from 'node:path';
import type { ArtifactInputRef } from '../../../artifacts/artifact-kinds';
import { InvalidInputError, violation } from '../../../common/errors';
import type { DatasetRef } from '../../../datasets/dataset-ref';
import type { JobContext, JobKindDefinition } from '../../../jobs/job-kind';
import { createTrainerKind } from '../../../trainer/trainer-kind';
import type { TrainerCheckpoint, TrainerKindDeps } from '../../../trainer/trainer-job';
import { NSS_ELITE_SPACE_FORMAT, NSS_ELITE_SPACE_FORMAT_V1, NSS_ELITE_SPACE_MEDIA_TYPE, readEliteSpaceFile } from '../elite-space-file';
import { checkReachableTarget, checkSupernetSize, nssSpaceOf } from '../space-check';
import { ExpandedSearchSpace, NssPresetName, expandedSearchSpace } from '../science/space';
import { checkLatencyTableSize, nssLatencySpaceId, spaceLatencyUnits } from '../science/latency';
import { LatencyTableSource, ensureLatencyTable } from '../../../trainer/latency/latency-job';
import { NSS_ARCH_SEARCH_TASK, NSS_ELITE_SPACE_TASK } from '../tasks';
import { NssArchSearchInput, parseNssArchSearchInput } from '../training/arch-search-input';
import type { NssArchSearchResult } from '../training/arch-search.task';
import { NssEliteSpaceInput, parseNssEliteSpaceInput } from '../training/elite-space-input';
import type { NssEliteSpaceResult } from '../training/elite-space.task';
import { datasetShape } from './dataset-shape';
import { NSS_MAX_SUPERNET_PARAMS } from './limits';
import { NssEliteSpaceResultDto, NssSearchResultDto } from './nss-result.dto';
import { NssEliteSpaceSpec, NssSearchSpec } from './nss-spec.dto';

export const NSS_ELITE_SPACE_KIND = 'nss-elite-space';
export const NSS_SEARCH_KIND = 'nss-search';

/** Renames the task parser's `input.<field>` violations to `spec.<field>` (the job API names spec fields so). */
function underSpec(kind: string, e: unknown): never {
  if (e instanceof InvalidInputError) {
    const v = e.violations.map((x) => ({ ...x, field: x.field.replace(/^input\./, 'spec.') }));
    throw new InvalidInputError(`invalid spec for kind ${kind}: ${v.map((x) => `${x.field}: ${x.message}`).join('; ')}`, v);
  }
  throw e;
}

/** The fields of `o` that are set. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}

/** The trainer task's input of an nss-elite-space spec; every check the DTO cannot make (4xx naming the spec field). */
export function nssEliteSpaceInput(spec: NssEliteSpaceSpec, dataset: DatasetRef): NssEliteSpaceInput {
  checkOneTarget(spec);
  let input: NssEliteSpaceInput;
  try {
    input = parseNssEliteSpaceInput({ dataset, preset: spec.preset, epochs: spec.epochs, seed: spec.seed, ...defined({
      targetFlops: spec.targetFlops, targetLatencyMs: spec.targetLatencyMs, latencyTableFile: spec.targetLatencyMs !== undefined ? LATENCY_TABLE_PENDING : undefined,
      lambda: spec.lambda, warmupFraction: spec.warmupFraction, batchSize: spec.batchSize, n: spec.n, maxTrainImages: spec.maxTrainImages,
      evalImages: spec.evalImages, archSamples: spec.archSamples,
    }) });
  } catch (e) {
    underSpec(NSS_ELITE_SPACE_KIND, e);
  }
  const shape = datasetShape(dataset);
  const s = nssSpaceOf(input.preset, shape.imageShape, shape.numClasses, input.targetFlops, 'spec');
  if (input.targetLatencyMs !== null) checkLatencyTableSize(s, 'spec.targetLatencyMs');
  return input;
}

/** Placeholder of the table path until beforeRun has the table (cached or built). */
const LATENCY_TABLE_PENDING = 'pending';

/** Exactly one of targetFlops / targetLatencyMs (400 naming the field). */
function checkOneTarget(spec: { targetFlops?: number; targetLatencyMs?: number }): void {
  if (spec.targetFlops === undefined && spec.targetLatencyMs === undefined) {
    throw new InvalidInputError('spec.targetFlops or spec.targetLatencyMs is required', [violation('spec.targetFlops', 'isDefined', 'give targetFlops or targetLatencyMs')]);
  }
  if (spec.targetFlops !== undefined && spec.targetLatencyMs !== undefined) {
    throw new InvalidInputError('give spec.targetFlops or spec.targetLatencyMs, not both', [violation('spec.targetLatencyMs', 'oneOf', 'give targetFlops or targetLatencyMs, not both')]);
  }
}

/** The job's per-residual-block latency table (cached team artefact, or built now) for the space of `dataset`. */
async function nssLatencyTable(deps: TrainerKindDeps, ctx: JobContext<object, TrainerCheckpoint>, jobDir: string, preset: NssPresetName, dataset: DatasetRef, space?: ExpandedSearchSpace): Promise<{ file: string; source: LatencyTableSource }> {
  const shape = datasetShape(dataset);
  const s = space ?? expandedSearchSpace(preset, shape.imageShape, shape.numClasses);
  checkLatencyTableSize(s, 'spec.targetLatencyMs');
  const lut = await ensureLatencyTable(deps, ctx, jobDir, { space: nssLatencySpaceId(s), inputShape: s.inputShape, units: () => spaceLatencyUnits(s), field: 'spec.targetLatencyMs' });
  return { file: lut.file, source: lut.source };
}

/** The trainer task's input of an nss-search spec (eliteSpaceFile is set in beforeRun). */
export function nssSearchInput(spec: NssSearchSpec, dataset: DatasetRef): NssArchSearchInput {
  if (!spec.eliteSpace && !spec.preset) {
    throw new InvalidInputError('spec.preset is required without spec.eliteSpace', [violation('spec.preset', 'isDefined', 'give preset (the Expanded Search Space to search) or eliteSpace (an elite-space artefact id)')]);
  }
  let input: NssArchSearchInput;
  try {
    checkOneTarget(spec);
    input = parseNssArchSearchInput({ dataset, preset: spec.preset ?? 'small', seed: spec.seed, eliteSpaceId: spec.eliteSpace ?? null, ...defined({
      targetFlops: spec.targetFlops, targetLatencyMs: spec.targetLatencyMs, latencyTableFile: spec.targetLatencyMs !== undefined ? LATENCY_TABLE_PENDING : undefined,
      n: spec.n, maxSamples: spec.maxSamples, trainEpochs: spec.trainEpochs, batchSize: spec.batchSize, lr: spec.lr, maxTrainImages: spec.maxTrainImages, evalImages: spec.evalImages,
    }) });
  } catch (e) {
    underSpec(NSS_SEARCH_KIND, e);
  }
  if (!spec.eliteSpace) {
    const shape = datasetShape(dataset);
    const s = expandedSearchSpace(input.preset, shape.imageShape, shape.numClasses);
    if (input.targetFlops !== null) checkReachableTarget(s, input.targetFlops, 'spec.targetFlops');
    else checkLatencyTableSize(s, 'spec.targetLatencyMs');
    if (input.trainEpochs > 0) checkSupernetSize(s, NSS_MAX_SUPERNET_PARAMS, 'spec.preset');
  }
  return input;
}

export function createNssEliteSpaceKind(deps: TrainerKindDeps): JobKindDefinition<NssEliteSpaceSpec, NssEliteSpaceResult, TrainerCheckpoint> {
  const tableSources = new Map<string, LatencyTableSource>();
  return createTrainerKind(deps, {
    kind: NSS_ELITE_SPACE_KIND,
    summary:
      'Network Space Search (Hong et al.): on a builtin or uploaded dataset, search a network space (per stage a depth range and a width range) for a FLOPs ' +
      'target: weight-sharing supernet with warm-up, Theta by Gumbel-softmax with L = L_task + lambda |FLOPs/target - 1| (Eq. 4-5). Returns the Elite Space ' +
      '(also saved as an `elite-space` artefact, with the searched supernet weights), its exact FLOPs distribution, the learned Theta, supernet accuracies of architectures sampled from it and from ' +
      'the Expanded Search Space (Fig. 3), and the Table 1 #samples figures. In a trainer process, checkpointed and resumable; shortened schedules are marked.',
    specClass: NssEliteSpaceSpec,
    resultClass: NssEliteSpaceResultDto,
    task: NSS_ELITE_SPACE_TASK,
    phase: 'search',
    input: (spec, dataset) => nssEliteSpaceInput(spec, dataset),
    async beforeRun(input, ctx, jobDir) {
      // the trainer child writes the Elite Space and the supernet weights (one file) into the job's folder; it becomes an artefact once the job succeeds
      if (ctx.artifacts) input.exportEliteSpace = path.join(jobDir, 'elite-space.nsw');
      if (input.targetLatencyMs !== null) {
        const lut = await nssLatencyTable(deps, ctx, jobDir, input.preset, input.dataset);
        input.latencyTableFile = lut.file;
        tableSources.set(ctx.jobId, lut.source);
      }
    },
    async afterRun(res, input, ctx): Promise<NssEliteSpaceResult & { eliteSpaceArtifactId?: string }> {
      const source = tableSources.get(ctx.jobId);
      tableSources.delete(ctx.jobId);
      const result = res.latency && source ? { ...res, latency: { ...res.latency, table: source } } : res;
      if (!input.exportEliteSpace || !ctx.artifacts) return result;
      const created = await ctx.artifacts.create({
        kind: 'elite-space',
        name: `NSS Elite Space (${result.preset}) for ${result.latency ? `${result.latency.targetMs} ms (LUT latency, ${result.latency.backend})` : `${result.targetFlops} FLOPs`} on ${result.schedule.dataset}: ${result.eliteSpace.description}`,
        mediaType: NSS_ELITE_SPACE_MEDIA_TYPE,
        file: input.exportEliteSpace,
        meta: {
          format: NSS_ELITE_SPACE_FORMAT,
          preset: result.preset,
          inputShape: result.expandedSearchSpace.inputShape,
          numClasses: result.expandedSearchSpace.numClasses,
          targetFlops: result.targetFlops,
          ...(result.latency ? { targetLatencyMs: result.latency.targetMs, latencyBackend: result.latency.backend } : {}),
          stages: result.eliteSpace.stages,
          meanFlops: result.eliteSpace.flops.mean,
          deviationOfMean: result.eliteSpace.flops.deviationOfMean,
          dataset: result.schedule.dataset,
          shortened: result.schedule.shortened,
          supernetWeights: true,
        },
      });
      return { ...result, eliteSpaceArtifactId: created.id };
    },
  });
}

export function createNssSearchKind(deps: TrainerKindDeps): JobKindDefinition<NssSearchSpec, NssArchSearchResult, TrainerCheckpoint> {
  const searchSources = new Map<string, LatencyTableSource>();
  return createTrainerKind(deps, {
    kind: NSS_SEARCH_KIND,
    summary:
      'NSS served as a NAS search space (Sec. 4.3, Table 1): inside an Elite Space (artefact id from nss-elite-space) or the whole Expanded Search Space, ' +
      'draw architectures uniformly for a FLOPs target; reports #samples needed to meet +-10 % (measured and exact 1/p), the closest of n, the FLOPs deviation ' +
      '(exact multiply-adds), the candidates\' supernet accuracies on the weights stored with the Elite Space (supernetEvaluation), and with trainEpochs > 0 the accuracy of the found architecture after a SHORT stand-alone training (marked as such).',
    specClass: NssSearchSpec,
    resultClass: NssSearchResultDto,
    task: NSS_ARCH_SEARCH_TASK,
    phase: 'search',
    input: (spec, dataset) => nssSearchInput(spec, dataset),
    artifactInputs: (spec): ArtifactInputRef[] => (spec.eliteSpace ? [{ field: 'spec.eliteSpace', id: spec.eliteSpace, kinds: ['elite-space'], formats: [NSS_ELITE_SPACE_FORMAT, NSS_ELITE_SPACE_FORMAT_V1] }] : []),
    async beforeRun(input, ctx, jobDir) {
      if (ctx.spec.eliteSpace) {
        if (!ctx.artifacts) throw new Error(`${NSS_SEARCH_KIND}: spec.eliteSpace needs a job context with artifacts`);
        input.eliteSpaceFile = (await ctx.artifacts.input(ctx.spec.eliteSpace)).path;
      }
      if (input.targetLatencyMs !== null) {
        // an Elite Space names its own Expanded Search Space (preset, input shape, classes)
        const s = input.eliteSpaceFile ? readEliteSpaceFile(input.eliteSpaceFile, 'spec.eliteSpace').space : undefined;
        const lut = await nssLatencyTable(deps, ctx, jobDir, input.preset, input.dataset, s);
        input.latencyTableFile = lut.file;
        searchSources.set(ctx.jobId, lut.source);
      }
    },
    afterRun(res, _input, ctx): NssArchSearchResult {
      const source = searchSources.get(ctx.jobId);
      searchSources.delete(ctx.jobId);
      return res.latency && source ? { ...res, latency: { ...res.latency, table: source } } as NssArchSearchResult : res;
    },
  });
}
