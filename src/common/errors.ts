/** One violated rule of one input field. */
export interface FieldViolation {
  field: string;
  rule: string;
  message: string;
}

/**
 * Typed domain exceptions. Algorithms and services throw these; the ProblemFilter is the one place
 * that maps them to HTTP problems (RFC 9457).
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly type: string;
  constructor(message: string, readonly violations: FieldViolation[] = []) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidInputError extends DomainError {
  readonly status = 400;
  readonly type = 'invalid-input';
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly type = 'not-found';
}

export class ConflictError extends DomainError {
  readonly status = 409;
  readonly type = 'conflict';
}

export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  readonly type = 'payload-too-large';
}

export class UnprocessableError extends DomainError {
  readonly status = 422;
  readonly type = 'unprocessable';
}

export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly type = 'unauthorized';
}

export class UnavailableError extends DomainError {
  readonly status = 503;
  readonly type = 'unavailable';
  constructor(message: string, violations: FieldViolation[] = [], readonly retryAfterSeconds?: number) {
    super(message, violations);
  }
}

/** 429: too many requests of one kind (uploads at once, failed authentications); retry after the given seconds. */
export class TooManyRequestsError extends DomainError {
  readonly status = 429;
  readonly type = 'too-many-requests';
  constructor(message: string, violations: FieldViolation[] = [], readonly retryAfterSeconds = 1) {
    super(message, violations);
  }
}

export function violation(field: string, rule: string, message: string): FieldViolation {
  return { field, rule, message };
}

/** A DomainError as plain data, for crossing a worker-thread or child-process boundary. */
export interface WireDomainError {
  type: string;
  message: string;
  violations: FieldViolation[];
}

type DomainErrorClass = new (message: string, violations?: FieldViolation[]) => DomainError;
const BY_TYPE: Record<string, DomainErrorClass> = {
  'invalid-input': InvalidInputError,
  'not-found': NotFoundError,
  conflict: ConflictError,
  'payload-too-large': PayloadTooLargeError,
  unprocessable: UnprocessableError,
  unauthorized: UnauthorizedError,
  unavailable: UnavailableError,
  'too-many-requests': TooManyRequestsError,
};

export function domainErrorToWire(e: unknown): WireDomainError | null {
  return e instanceof DomainError && BY_TYPE[e.type] ? { type: e.type, message: e.message, violations: e.violations } : null;
}

/** The same DomainError class again (so a job fails permanently instead of retrying); null for unknown types. */
export function domainErrorFromWire(w: { type: string; message: string; violations?: FieldViolation[] }): DomainError | null {
  const cls = BY_TYPE[w.type];
  return cls ? new cls(w.message, w.violations ?? []) : null;
}
