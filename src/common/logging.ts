import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { levels, stdSerializers } from 'pino';

/** Paths whose requests get no access line (probes and scrapes). */
const UNLOGGED_PATHS: ReadonlySet<string> = new Set(['/healthz', '/metrics']);

/** True when `level` lets info lines through (so the per-request access line would be written). */
export function logsInfo(level: string): boolean {
  const value = levels.values[level];
  return value !== undefined && value <= levels.values.info;
}

/** The request as bound to its logger: id, method and URL only (no headers, so no credentials in logs). */
export function requestBinding(req: IncomingMessage & { id?: unknown; originalUrl?: string }): { id: unknown; method?: string; url?: string } {
  return { id: req.id, method: req.method, url: req.originalUrl ?? req.url };
}

/** The response as written in the access line. */
export function responseBinding(res: ServerResponse): { statusCode: number } {
  return { statusCode: res.statusCode };
}

/**
 * nestjs-pino / pino-http settings for LOG_LEVEL `level`.
 *
 * pino-http binds a child logger to every request (so lines logged while handling it carry the request) and writes
 * one access line when it finishes. Its standard serializers copy every request and response header into each of
 * those, and the Authorization header then has to be redacted; here the request is bound as `{id, method, url}`
 * and the response as `{statusCode}`, which keeps the per-request cost and allocation small.
 *
 * When the level drops info lines (warn, error, fatal, silent) the access line would be thrown away, so the
 * per-request middleware (pino-http and nestjs-pino's request context) is not mounted at all; log lines written
 * during a request then carry no request binding.
 */
export function loggerParams(level: string): Params {
  const pinoHttp = {
    level,
    wrapSerializers: false,
    serializers: { req: requestBinding, res: responseBinding, err: stdSerializers.err },
    autoLogging: { ignore: (req: IncomingMessage): boolean => UNLOGGED_PATHS.has(req.url ?? '') },
  };
  return logsInfo(level) ? { pinoHttp } : { pinoHttp, forRoutes: [] };
}
