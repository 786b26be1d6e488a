import { closeOnSignals } from './common/shutdown';
import { createHttpApp } from './bootstrap';
import { loadConfig } from './config/config';
import { runMigrations } from './database/data-source';
import { openDatabase } from './database/database';

async function main(): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase(config);
  if (config.migrateOnStart) await runMigrations(db.url);
  const app = await createHttpApp(config, db.url, { worker: config.inProcessWorker });
  closeOnSignals(async (): Promise<void> => {
    await app.close();
    await db.stop();
    process.exit(0);
  });
  await app.listen(config.port, process.env.HOST ?? '127.0.0.1');
  process.stdout.write(`nas-service listening on http://${process.env.HOST ?? '127.0.0.1'}:${config.port} (docs at /docs, database ${db.embedded ? 'embedded' : 'DATABASE_URL'})\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
