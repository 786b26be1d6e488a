import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildOpenApiDocument, createHttpApp } from '../bootstrap';
import { loadConfig, REPO_ROOT } from '../config/config';
import { runMigrations } from '../database/data-source';
import { openDatabase } from '../database/database';

/** Writes the OpenAPI document generated from the code to openapi/openapi.json (the committed spec). */
async function main(): Promise<void> {
  const config = { ...loadConfig(), logLevel: 'silent' };
  const db = await openDatabase(config);
  try {
    await runMigrations(db.url);
    const app = await createHttpApp(config, db.url, { worker: false });
    await app.init();
    const doc = buildOpenApiDocument(app);
    const out = path.join(REPO_ROOT, 'openapi', 'openapi.json');
    fs.writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
    process.stdout.write(`wrote ${path.relative(REPO_ROOT, out)} (${Object.keys(doc.paths).length} paths)\n`);
    await app.close();
  } finally {
    await db.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`openapi failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
