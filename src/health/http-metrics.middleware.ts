import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { MetricsService } from './metrics.service';

/** Route label of requests that matched no route (404s, static documentation assets). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The route template of a request (`/v1/jobs/:id`), never the raw URL, so label cardinality stays bounded.
 * `ownRoute` is the route this middleware is mounted as (Nest mounts it as an Express route, which sets
 * `req.route`); when no later route replaced it, no controller route matched.
 */
export function routeTemplate(req: Request, ownRoute: unknown): string {
  const route = req.route as { path?: unknown } | undefined;
  if (!route || route === ownRoute || route.path === undefined) return UNMATCHED_ROUTE;
  return `${req.baseUrl ?? ''}${String(route.path)}`;
}

/**
 * Times every HTTP request into `nas_http_request_duration_seconds`. A middleware rather than an
 * interceptor: guards run before interceptors, so an interceptor would never see the 401s of the
 * API-key guard, nor 404s of unknown paths. The route is read when the response has finished,
 * by which time the router has matched it.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: MetricsService) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const start = process.hrtime.bigint();
    const ownRoute: unknown = req.route;
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      this.metrics.httpDuration.observe({ method: req.method, route: routeTemplate(req, ownRoute), status_code: String(res.statusCode) }, seconds);
    });
    next();
  }
}
