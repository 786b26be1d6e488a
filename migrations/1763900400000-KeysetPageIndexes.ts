import { MigrationInterface, QueryRunner } from 'typeorm';

/** Newest-first keyset pages order by (created_at DESC, id DESC): index exactly that, per team. */
export class KeysetPageIndexes1763900400000 implements MigrationInterface {
  name = 'KeysetPageIndexes1763900400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX jobs_team_page ON jobs (team_id, created_at DESC, id DESC)`);
    await q.query(`DROP INDEX jobs_team_created`);
    await q.query(`CREATE INDEX datasets_team_page ON datasets (team_id, created_at DESC, id DESC)`);
    await q.query(`DROP INDEX datasets_team_created`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX datasets_team_created ON datasets (team_id, created_at)`);
    await q.query(`DROP INDEX datasets_team_page`);
    await q.query(`CREATE INDEX jobs_team_created ON jobs (team_id, created_at)`);
    await q.query(`DROP INDEX jobs_team_page`);
  }
}
