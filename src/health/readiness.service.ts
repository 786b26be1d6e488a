import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { FieldViolation, UnavailableError, violation } from '../common/errors';
import { migrationsApplied } from '../database/data-source';
import { ReadinessCheckDto, ReadinessDto } from './health.dto';
import { withTimeout } from './timeout';

/** A readiness check that does not answer within this time counts as failed (probes must not hang). */
export const READINESS_TIMEOUT_MS = 2000;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Ready = the database answers `SELECT 1` and every migration shipped with this build has been applied. */
@Injectable()
export class ReadinessService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** The passed checks, or an UnavailableError (503) naming each dependency that is not ready. */
  async check(): Promise<ReadinessDto> {
    const checks: ReadinessCheckDto[] = [];
    const failed: FieldViolation[] = [];
    try {
      await withTimeout('database', this.ds.query('SELECT 1'), READINESS_TIMEOUT_MS);
      checks.push({ name: 'database', ok: true, detail: 'SELECT 1 answered' });
    } catch (e) {
      failed.push(violation('database', 'select-1', `the database does not answer SELECT 1: ${message(e)}`));
    }
    if (failed.length === 0) {
      try {
        if (await withTimeout('migrations', migrationsApplied(this.ds), READINESS_TIMEOUT_MS)) {
          checks.push({ name: 'migrations', ok: true, detail: `all ${this.ds.migrations.length} shipped migrations are applied` });
        } else {
          const pending = await this.pendingMigrations();
          failed.push(
            violation('migrations', 'applied', `${pending.length} shipped migration(s) not applied: ${pending.join(', ')}; run \`npm run migrate\``),
          );
        }
      } catch (e) {
        failed.push(violation('migrations', 'applied', `could not read the applied migrations: ${message(e)}`));
      }
    } else {
      failed.push(violation('migrations', 'applied', 'not checked: the database is not reachable'));
    }
    if (failed.length) {
      throw new UnavailableError(`not ready: ${failed.map((f) => `${f.field}: ${f.message}`).join('; ')}`, failed);
    }
    return { status: 'ready', checks };
  }

  /** Names of the shipped migrations with no row in the migrations table. */
  private async pendingMigrations(): Promise<string[]> {
    const table = this.ds.options.migrationsTableName ?? 'migrations';
    const rows: Array<{ name: string }> = await this.ds.query(`SELECT name FROM "${table}"`);
    const applied = new Set(rows.map((r) => r.name));
    return this.ds.migrations.map((m) => m.name ?? m.constructor.name).filter((n) => !applied.has(n));
  }
}
