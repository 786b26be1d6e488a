/** Artefact kinds and the contract between job kinds and the artefacts domain. No Nest, no TypeORM. */

/**
 * What an artefact is: a trained supernet, an Elite Space, a model family, one exported trained model, a latency
 * look-up table (per-unit latencies measured on the service's inference backend; src/search/spaces/cost/latency.ts).
 */
export const ARTIFACT_KINDS = ['supernet', 'elite-space', 'model-family', 'model', 'latency-table'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/** An artefact a job reads, named by a field of its spec (e.g. `spec.initFrom`); optionally of given kinds only. */
export interface ArtifactInputRef {
  /** Spec field holding the id, as the API names it in errors (`spec.<name>`). */
  field: string;
  id: string;
  kinds?: readonly ArtifactKind[];
  /** Accepted values of the artefact's `meta.format` (e.g. 'nb201-model/1'); others are refused with a 400 naming `field`. */
  formats?: readonly string[];
}

/** An input artefact as a running job sees it. */
export interface ArtifactInput {
  id: string;
  kind: ArtifactKind;
  mediaType: string;
  sha256: string;
  sizeBytes: number;
  /** Absolute path of the stored file (read-only for jobs). */
  path: string;
  meta: Record<string, unknown>;
}

/** A file a job has written completely (e.g. by a trainer child into the job's folder) to register as an artefact. */
export interface NewJobArtifact {
  kind: ArtifactKind;
  name: string;
  mediaType: string;
  /** Path of the complete file; it is copied into artefact storage (the caller may delete it afterwards). */
  file: string;
  /** Small descriptive metadata (shapes, arch, accuracy ...), returned with the artefact. */
  meta?: Record<string, unknown>;
}

export interface CreatedArtifact {
  id: string;
  sha256: string;
  sizeBytes: number;
}

/**
 * Artefacts from inside a running job (JobContext.artifacts). Artefacts a job creates stay invisible (status
 * `pending`) until the job succeeds, in the same transaction that marks it succeeded; an attempt that fails, is
 * cancelled or is retried has its pending artefacts removed (rows and files), so no half-made artefact is ever seen.
 */
export interface JobArtifacts {
  /** One of the job's declared inputs (JobKindDefinition.artifactInputs), resolved for the job's team. */
  input(id: string): Promise<ArtifactInput>;
  /** Copies `a.file` into storage atomically and records it as a pending artefact of this job. */
  create(a: NewJobArtifact): Promise<CreatedArtifact>;
  /**
   * The team's newest ready artefact of `kind` whose meta contains `meta` (JSON containment), recorded as an input
   * of this job under `field` (so it cannot be deleted while the job runs); null when there is none. For caches the
   * spec does not name (latency tables). Optional so that hand-made contexts in tests need not provide it.
   */
  findCached?(kind: ArtifactKind, meta: Record<string, string | number | boolean>, field: string): Promise<ArtifactInput | null>;
}

/**
 * Read-only artefact look-ups for a job kind's validate() (before any job exists): nothing is recorded as a job input,
 * so a result is advisory (the artefact may be deleted before the job runs; run() looks it up again).
 */
export interface ArtifactLookup {
  /** The team's ready artefacts of `kind` whose meta contains `meta` (JSON containment), newest first, at most `limit`. */
  cached(kind: ArtifactKind, meta: Record<string, string | number | boolean>, limit?: number): Promise<ArtifactInput[]>;
}
