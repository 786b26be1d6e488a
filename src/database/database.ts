import { AppConfig } from '../config/config';
import { EmbeddedDatabase } from './embedded';

export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** DATABASE_URL when set; otherwise a real embedded PostgreSQL whose data stays in the project folder. */
export async function openDatabase(config: AppConfig): Promise<DatabaseHandle> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: false, stop: async () => undefined };
  const db = new EmbeddedDatabase(config.embeddedPgDir, config.embeddedPgPort);
  const url = await db.start();
  return { url, embedded: true, stop: () => db.stop() };
}
