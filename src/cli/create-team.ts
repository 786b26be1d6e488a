import { DataSource } from 'typeorm';
import { ApiKey } from '../auth/api-key.entity';
import { AuthService } from '../auth/auth.service';
import { Team } from '../auth/team.entity';
import { loadConfig } from '../config/config';
import { dataSourceOptions, runMigrations } from '../database/data-source';
import { openDatabase } from '../database/database';

/** `npm run create-team -- <name>`: creates a team and prints its first API key as the last line. */
async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name) {
    process.stderr.write('usage: npm run create-team -- <team-name>\n');
    process.exit(2);
  }
  const db = await openDatabase(loadConfig());
  try {
    await runMigrations(db.url);
    const ds = await new DataSource(dataSourceOptions(db.url)).initialize();
    try {
      const issued = await new AuthService(ds.getRepository(Team), ds.getRepository(ApiKey)).createTeam(name);
      process.stdout.write(`created team "${issued.team.name}" (${issued.team.id}); its API key (shown once, send as "Authorization: Bearer <key>"):\n`);
      process.stdout.write(`${issued.key}\n`);
    } finally {
      await ds.destroy();
    }
  } finally {
    await db.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`create-team failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
