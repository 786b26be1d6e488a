import { closeOnSignals } from './common/shutdown';
import { createWorkerContext } from './bootstrap';
import { loadConfig } from './config/config';
import { runMigrations } from './database/data-source';
import { openDatabase } from './database/database';

/** `npm run worker`: a queue worker process; start as many as you like, on any machine that reaches the database. */
async function main(): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase(config);
  if (config.migrateOnStart) await runMigrations(db.url);
  const ctx = await createWorkerContext(config, db.url);
  closeOnSignals(async (): Promise<void> => {
    await ctx.close();
    await db.stop();
    process.exit(0);
  });
  process.stdout.write(`nas-service worker ${process.pid} pulling jobs\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
