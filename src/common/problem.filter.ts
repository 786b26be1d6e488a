import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, FieldViolation } from './errors';
import { DB_RETRY_AFTER_SECONDS, isTransientDatabaseError } from './transient-db';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: FieldViolation[];
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function slug(status: number): string {
  return (TITLES[status] ?? 'error').toLowerCase().replace(/[^a-z]+/g, '-');
}

/** Seconds for the Retry-After header: from the error when it carries them, for a transient database failure, else none. */
export function retryAfterSeconds(exception: unknown): number | undefined {
  const own = (exception as { retryAfterSeconds?: unknown } | null)?.retryAfterSeconds;
  if (exception instanceof DomainError && typeof own === 'number' && own > 0) return Math.ceil(own);
  if (!(exception instanceof DomainError) && !(exception instanceof HttpException) && isTransientDatabaseError(exception)) return DB_RETRY_AFTER_SECONDS;
  return undefined;
}

/** Raised by the ValidationPipe factory so DTO violations keep their field names. */
export class ValidationProblem extends HttpException {
  constructor(readonly violations: FieldViolation[]) {
    super({ message: violations.map((v) => `${v.field}: ${v.message}`).join('; ') }, HttpStatus.BAD_REQUEST);
  }
}

/** The one place where errors become RFC 9457 problem documents. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const problem = this.toProblem(exception, req.originalUrl ?? req.url);
    const message = exception instanceof Error ? exception.stack ?? exception.message : String(exception);
    if (problem.status === 503) this.logger.warn(message);
    else if (problem.status >= 500) this.logger.error(message);
    if (res.headersSent) {
      res.end();
      return;
    }
    const retryAfter = retryAfterSeconds(exception);
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    res.status(problem.status).type('application/problem+json').json(problem);
  }

  toProblem(exception: unknown, instance: string): Problem {
    if (exception instanceof DomainError) {
      return {
        type: `urn:nas:problem:${exception.type}`,
        title: TITLES[exception.status] ?? 'Error',
        status: exception.status,
        detail: exception.message,
        instance,
        ...(exception.violations.length ? { errors: exception.violations } : {}),
      };
    }
    if (exception instanceof ValidationProblem) {
      return {
        type: 'urn:nas:problem:invalid-input',
        title: TITLES[400],
        status: 400,
        detail: (exception.getResponse() as { message: string }).message,
        instance,
        errors: exception.violations,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const detail = typeof body === 'string' ? body : String((body as { message?: unknown }).message ?? exception.message);
      return { type: `urn:nas:problem:${slug(status)}`, title: TITLES[status] ?? 'Error', status, detail, instance };
    }
    // body-parser errors (malformed JSON, too large) carry their own HTTP status
    const withStatus = exception as { status?: number; type?: string; message?: string };
    if (typeof withStatus?.status === 'number' && withStatus.status >= 400 && withStatus.status < 500) {
      const detail =
        withStatus.type === 'entity.parse.failed' ? `request body is not valid JSON: ${withStatus.message}` : withStatus.message ?? 'bad request';
      return { type: `urn:nas:problem:${slug(withStatus.status)}`, title: TITLES[withStatus.status] ?? 'Error', status: withStatus.status, detail, instance };
    }
    if (isTransientDatabaseError(exception)) {
      return {
        type: 'urn:nas:problem:unavailable',
        title: TITLES[503],
        status: 503,
        detail: `the database is unavailable for a moment; retry after ${DB_RETRY_AFTER_SECONDS} s (with the same Idempotency-Key, a retried submission cannot create a second job)`,
        instance,
      };
    }
    return { type: 'urn:nas:problem:internal', title: TITLES[500], status: 500, detail: 'internal error', instance };
  }
}
