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
}

export function violation(field: string, rule: string, message: string): FieldViolation {
  return { field, rule, message };
}
