import { Client, ClientConfig } from 'pg';

/**
 * The pg Client of the TypeORM pool, with a permanent 'error' listener. A connection the server terminates
 * (pg_terminate_backend, a restart) emits 'error'; pg-pool listens only while the client is idle and TypeORM only
 * while a query runner holds it, so an error in between (or a second one) had no listener and became an
 * uncaughtException, which kills the process. Swallowing it here is safe: the pool drops the broken client, and a
 * query on it fails with a connection error that the problem filter answers 503 (src/common/transient-db.ts).
 */
export class ResilientPgClient extends Client {
  /** Connection errors seen without another listener (for tests and diagnostics). */
  static unhandledErrors = 0;

  constructor(config?: string | ClientConfig) {
    super(config);
    this.on('error', () => {
      if (this.listenerCount('error') === 1) ResilientPgClient.unhandledErrors++;
    });
  }
}
