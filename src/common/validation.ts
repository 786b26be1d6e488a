import { ValidationError, ValidationPipe } from '@nestjs/common';
import type { ValidatorOptions } from '@nestjs/common/interfaces/external/validator-options.interface';
import { FieldViolation } from './errors';
import { ValidationProblem } from './problem.filter';

export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldViolation[] {
  const out: FieldViolation[] = [];
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    for (const [rule, message] of Object.entries(e.constraints ?? {})) out.push({ field, rule, message });
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, field));
  }
  return out;
}

/** True when `object` is an instance of its class with no property set (e.g. the DTO of a request without a query). */
function isBlankInstance(object: object): boolean {
  const ctor = (object as { constructor?: unknown }).constructor;
  if (typeof ctor !== 'function' || Object.getPrototypeOf(object) !== ctor.prototype) return false;
  for (const key in object) if ((object as Record<string, unknown>)[key] !== undefined) return false;
  return true;
}

/**
 * ValidationPipe that remembers, per DTO class, that an instance with no property set is valid. Such instances are
 * what most GET requests bring (no query string), and validating them ran all of class-validator's metadata look-ups
 * on every request (a fifth of the allocation of `GET /v1/benchmarks/nb201/archs/:key`). The outcome cannot change
 * between two such instances: the rules of a class are fixed and no DTO here has a validator that consults anything
 * outside the object. Instances with any property set, and classes whose blank instance fails, are validated in full.
 */
export class AppValidationPipe extends ValidationPipe {
  private readonly blankIsValid = new WeakSet<object>();

  protected override async validate(object: object, validatorOptions?: ValidatorOptions): Promise<ValidationError[]> {
    const blank = isBlankInstance(object);
    if (blank && this.blankIsValid.has(object.constructor)) return [];
    const errors = await super.validate(object, validatorOptions);
    if (blank && errors.length === 0) this.blankIsValid.add(object.constructor);
    return errors;
  }
}

/** Global pipe: unknown properties are rejected, every violation is named with its field and rule. */
export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => new ValidationProblem(flattenValidationErrors(errors)),
  });
}
