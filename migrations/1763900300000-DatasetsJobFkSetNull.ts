import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Finished jobs keep their dataset_id, so deleting a dataset they used must not be refused by the FK:
 * jobs.dataset_id -> datasets(id) becomes ON DELETE SET NULL (the API itself refuses the delete while a queued or
 * running job uses the dataset). Also indexes jobs.dataset_id for that check and for the FK action.
 */
export class DatasetsJobFkSetNull1763900300000 implements MigrationInterface {
  name = 'DatasetsJobFkSetNull1763900300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE jobs DROP CONSTRAINT jobs_dataset_id_fkey`);
    await q.query(`ALTER TABLE jobs ADD CONSTRAINT jobs_dataset_id_fkey FOREIGN KEY (dataset_id) REFERENCES datasets(id) ON DELETE SET NULL`);
    await q.query(`CREATE INDEX jobs_dataset_id ON jobs (dataset_id) WHERE dataset_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX jobs_dataset_id`);
    await q.query(`ALTER TABLE jobs DROP CONSTRAINT jobs_dataset_id_fkey`);
    await q.query(`ALTER TABLE jobs ADD CONSTRAINT jobs_dataset_id_fkey FOREIGN KEY (dataset_id) REFERENCES datasets(id) ON DELETE RESTRICT`);
  }
}
