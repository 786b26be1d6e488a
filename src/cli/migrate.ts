import { loadConfig } from '../config/config';
import { runMigrations } from '../database/data-source';
import { openDatabase } from '../database/database';

/** `npm run migrate`: applies pending migrations to DATABASE_URL (or the embedded database). */
async function main(): Promise<void> {
  const db = await openDatabase(loadConfig());
  try {
    const ran = await runMigrations(db.url);
    process.stdout.write(ran.length ? `applied ${ran.length} migration(s): ${ran.join(', ')}\n` : 'schema is up to date\n');
  } finally {
    await db.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`migrate failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
