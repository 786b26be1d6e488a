import { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1763900000000 implements MigrationInterface {
  name = 'Init1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`
      CREATE TABLE teams (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        prefix text NOT NULL,
        key_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX api_keys_key_hash ON api_keys (key_hash)`);
    await q.query(`
      CREATE TABLE datasets (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        name text NOT NULL,
        format text NOT NULL CHECK (format IN ('cifar10-binary', 'mnist-idx')),
        sha256 text NOT NULL,
        size_bytes bigint NOT NULL,
        num_train int NOT NULL,
        num_test int NOT NULL,
        num_classes int NOT NULL,
        image_shape jsonb NOT NULL,
        storage_path text NOT NULL,
        files jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX datasets_team_created ON datasets (team_id, created_at)`);
    await q.query(`
      CREATE TABLE jobs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        team_id uuid NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        kind text NOT NULL,
        status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
        spec jsonb NOT NULL,
        progress jsonb NOT NULL DEFAULT '{"fraction":0,"phase":"queued","message":""}',
        result jsonb,
        error jsonb,
        attempts int NOT NULL DEFAULT 0,
        checkpoint jsonb,
        dataset_id uuid REFERENCES datasets(id) ON DELETE RESTRICT,
        idempotency_key text,
        request_hash text,
        lease_owner text,
        lease_expires_at timestamptz,
        cancel_requested_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX jobs_team_created ON jobs (team_id, created_at)`);
    await q.query(`CREATE UNIQUE INDEX jobs_team_idempotency ON jobs (team_id, idempotency_key) WHERE idempotency_key IS NOT NULL`);
    await q.query(`CREATE INDEX jobs_running_lease ON jobs (lease_expires_at) WHERE status = 'running'`);
    await q.query(`
      CREATE TABLE job_events (
        id bigserial PRIMARY KEY,
        job_id uuid NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        type text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX job_events_job_id ON job_events (job_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE job_events`);
    await q.query(`DROP TABLE jobs`);
    await q.query(`DROP TABLE datasets`);
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE teams`);
  }
}
