import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Artefacts (src/artifacts): files produced by jobs, team-scoped like datasets. `status` is `pending` while the
 * producing job has not succeeded (invisible to the API) and `ready` afterwards. job_artifact_inputs records which
 * artefacts a job reads; the FK check of an insert there takes a KEY SHARE lock on the artefact row, which the
 * delete's SELECT ... FOR UPDATE waits for (so a job cannot start using an artefact that is being deleted).
 */
export class Artifacts1764000000000 implements MigrationInterface {
  name = 'Artifacts1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE artifacts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        kind text NOT NULL CHECK (kind IN ('supernet', 'elite-space', 'model-family', 'model')),
        name text NOT NULL,
        media_type text NOT NULL,
        sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
        job_id uuid REFERENCES jobs(id) ON DELETE SET NULL,
        status text NOT NULL CHECK (status IN ('pending', 'ready')),
        meta jsonb NOT NULL DEFAULT '{}',
        storage_path text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX artifacts_team_page ON artifacts (team_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX artifacts_job ON artifacts (job_id) WHERE job_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE job_artifact_inputs (
        job_id uuid NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        artifact_id uuid NOT NULL REFERENCES artifacts(id) ON DELETE CASCADE,
        field text NOT NULL,
        PRIMARY KEY (job_id, artifact_id)
      )`);
    await q.query(`CREATE INDEX job_artifact_inputs_artifact ON job_artifact_inputs (artifact_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE job_artifact_inputs`);
    await q.query(`DROP TABLE artifacts`);
  }
}
