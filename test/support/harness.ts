import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { AuthService } from '../../src/auth/auth.service';
import { createHttpApp } from '../../src/bootstrap';
import { AppConfig, loadConfig } from '../../src/config/config';
import { runMigrations } from '../../src/database/data-source';

/** The PostgreSQL server the tests use (scripts/run-tests.mjs sets DATABASE_URL, embedded if need be). */
export function baseDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run the tests with `npm test`, which starts an embedded PostgreSQL');
  return url;
}

/** A fresh, empty database on the test server, migrated; dropped by the returned function. */
export async function createTestDatabase(prefix = 'nas_t'): Promise<{ url: string; drop(): Promise<void> }> {
  const base = new URL(baseDatabaseUrl());
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: base.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  await runMigrations(url.toString());
  return {
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: base.toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface TestApp {
  app: INestApplication;
  /** http://127.0.0.1:<port> of the listening server. */
  baseUrl: string;
  dbUrl: string;
  config: AppConfig;
  createTeam(name?: string): Promise<{ key: string; teamId: string }>;
  close(): Promise<void>;
}

/** A real API server on a random loopback port, on its own migrated database. */
export async function startTestApp(overrides: Partial<AppConfig> = {}, opts: { worker?: boolean; dbUrl?: string } = {}): Promise<TestApp> {
  const db = opts.dbUrl ? { url: opts.dbUrl, drop: async () => undefined } : await createTestDatabase();
  const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nas-storage-'));
  const config: AppConfig = { ...loadConfig(), databaseUrl: db.url, storageDir, logLevel: process.env.LOG_LEVEL ?? 'silent', ...overrides };
  const app = await createHttpApp(config, db.url, { worker: opts.worker ?? true });
  await app.listen(0, '127.0.0.1');
  const addr = app.getHttpServer().address() as { port: number };
  const auth = app.get(AuthService);
  return {
    app,
    baseUrl: `http://127.0.0.1:${addr.port}`,
    dbUrl: db.url,
    config,
    async createTeam(name = `team-${randomBytes(4).toString('hex')}`) {
      const issued = await auth.createTeam(name);
      return { key: issued.key, teamId: issued.team.id };
    },
    async close() {
      await app.close();
      await db.drop();
      fs.rmSync(storageDir, { recursive: true, force: true });
    },
  };
}
