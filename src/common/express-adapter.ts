import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';
import * as http from 'node:http';

/**
 * Request and response classes whose prototypes are `app.request` / `app.response` of the Express app, which is
 * re-pointed at them (their own prototypes are the old `app.request` / `app.response`, so everything Express or a
 * plugin put there is still inherited).
 *
 * Why: Express's `app.handle` calls `Object.setPrototypeOf(req, app.request)` (and the same for `res`) on every
 * request. On Node 20 (V8 11.3) an object whose prototype is changed after construction is not freed by the
 * young-generation GC: with it, the request and response objects of nearly every request survived scavenges and
 * were promoted (old space grew ~6-11 MB/s at 500 req/s), each scavenge took 3-7 ms and a mark-compact followed
 * every few seconds; those pauses were the p99 of the API (benchmarks/benchmark/perf.ts). When the server already
 * builds the objects on those prototypes, Express's call changes nothing and they die young.
 */
export function expressMessageClasses(app: Express): { IncomingMessage: typeof http.IncomingMessage; ServerResponse: typeof http.ServerResponse } {
  class AppRequest extends http.IncomingMessage {}
  class AppResponse<Request extends http.IncomingMessage = http.IncomingMessage> extends http.ServerResponse<Request> {}
  Object.setPrototypeOf(AppRequest.prototype, app.request);
  Object.setPrototypeOf(AppResponse.prototype, app.response);
  app.request = AppRequest.prototype as unknown as Express['request'];
  app.response = AppResponse.prototype as unknown as Express['response'];
  return { IncomingMessage: AppRequest, ServerResponse: AppResponse };
}

/**
 * Idle keep-alive connections stay open 65 s (Node's default is 5 s). A client reuses an idle connection until shortly
 * before the server's advertised timeout (undici: 1 s before); when the server closes at 5 s and the client's request
 * is late by more than that margin (an event-loop stall under load), the request meets the close and fails with
 * ECONNRESET. 65 s is also above the 60 s idle timeout of common load balancers in front of the API. The header
 * timeout must exceed it, or a reused connection could be cut while its next request's headers arrive.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

export function setKeepAlive(server: http.Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
}

/** Nest's Express adapter, with an HTTP server that builds requests and responses on Express's prototypes (above). */
export class ExpressPrototypeAdapter extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    // HTTPS and forceCloseConnections keep Nest's own server set-up (neither is used by this service)
    if (options?.httpsOptions || options?.forceCloseConnections) return super.initHttpServer(options);
    const server = http.createServer(expressMessageClasses(this.getInstance<Express>()), this.getInstance<Express>());
    setKeepAlive(server);
    this.httpServer = server;
  }
}
