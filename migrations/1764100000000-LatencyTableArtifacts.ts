import { MigrationInterface, QueryRunner } from 'typeorm';

/** Artefact kind `latency-table`: per-unit latency look-up tables measured on the service's backend (src/search/spaces/cost/latency.ts). */
export class LatencyTableArtifacts1764100000000 implements MigrationInterface {
  name = 'LatencyTableArtifacts1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE artifacts DROP CONSTRAINT IF EXISTS artifacts_kind_check`);
    await q.query(`ALTER TABLE artifacts ADD CONSTRAINT artifacts_kind_check CHECK (kind IN ('supernet', 'elite-space', 'model-family', 'model', 'latency-table'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM artifacts WHERE kind = 'latency-table'`);
    await q.query(`ALTER TABLE artifacts DROP CONSTRAINT IF EXISTS artifacts_kind_check`);
    await q.query(`ALTER TABLE artifacts ADD CONSTRAINT artifacts_kind_check CHECK (kind IN ('supernet', 'elite-space', 'model-family', 'model'))`);
  }
}
