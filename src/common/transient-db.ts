/**
 * Recognises a transient database failure: the connection was refused, reset or terminated (a restart,
 * pg_terminate_backend, a failover), or the server cannot take connections right now. Such a request may
 * succeed when retried, so it is answered 503 with Retry-After instead of 500.
 */

/** SQLSTATE classes/codes of lost or refused connections (PostgreSQL appendix A). */
const TRANSIENT_SQLSTATES = new Set([
  '08000', '08001', '08003', '08004', '08006', '08007', // connection exception
  '57P01', '57P02', '57P03', // admin_shutdown (pg_terminate_backend), crash_shutdown, cannot_connect_now
  '53300', // too_many_connections
  '40001', '40P01', // serialization_failure, deadlock_detected: retrying the request is safe
]);
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** TypeORM errors that only arise when the connection under a query runner was lost mid-transaction. */
const TRANSIENT_ERROR_NAMES = new Set(['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError', 'ConnectionIsNotSetError']);
const TRANSIENT_MESSAGES = [/Connection terminated/i, /timeout exceeded when trying to connect/i, /Client has encountered a connection error/i, /Client was closed and is not queryable/i];

/** Seconds a client should wait before retrying after a transient database failure. */
export const DB_RETRY_AFTER_SECONDS = 2;

export function isTransientDatabaseError(e: unknown, depth = 0): boolean {
  if (!e || typeof e !== 'object' || depth > 3) return false;
  const x = e as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
  if (typeof x.code === 'string' && (TRANSIENT_SQLSTATES.has(x.code) || TRANSIENT_NODE_CODES.has(x.code))) return true;
  if (e instanceof Error && TRANSIENT_ERROR_NAMES.has(e.name)) return true;
  if (typeof x.message === 'string' && TRANSIENT_MESSAGES.some((re) => re.test(x.message as string))) return true;
  // TypeORM's QueryFailedError wraps the driver's error; AggregateError (happy eyeballs) holds several
  const inner = [x.driverError, x.cause, ...((e as { errors?: unknown[] }).errors ?? [])];
  return inner.some((i) => i !== e && isTransientDatabaseError(i, depth + 1));
}
