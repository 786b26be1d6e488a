/** Spec DTO decorators from a NumberLimit (src/common/limits.ts): class-validator rules and the OpenAPI schema alike. */
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, IsPositive, Max, Min, ValidateBy } from 'class-validator';
import type { NumberLimit } from './limits';

const FINITE = { allowNaN: false, allowInfinity: false } as const;

export interface LimitDocs {
  description: string;
  example?: number;
  /** Optional in the spec (the limit's default, if any, applies). Default: optional exactly when the limit has a default. */
  optional?: boolean;
}

/** Required or optional numeric spec field checked against `limit`; violations are named isInt/isNumber, min, isPositive, max. */
export function Limit(limit: NumberLimit, docs: LimitDocs): PropertyDecorator {
  const optional = docs.optional ?? limit.default !== undefined;
  const schema = {
    description: docs.description,
    ...(docs.example !== undefined ? { example: docs.example } : {}),
    ...(limit.min !== undefined ? { minimum: limit.min } : {}),
    ...(limit.exclusiveMin !== undefined ? { minimum: limit.exclusiveMin, exclusiveMinimum: true } : {}),
    ...(limit.max !== undefined ? { maximum: limit.max } : {}),
    ...(limit.default !== undefined ? { default: limit.default } : {}),
  };
  const rules: PropertyDecorator[] = [optional ? ApiPropertyOptional(schema) : ApiProperty(schema)];
  if (optional) rules.push(IsOptional());
  rules.push(limit.int ? IsInt() : IsNumber(FINITE));
  if (limit.exclusiveMin === 0) rules.push(IsPositive());
  else if (limit.exclusiveMin !== undefined) rules.push(greaterThan(limit.exclusiveMin));
  if (limit.min !== undefined) rules.push(Min(limit.min));
  if (limit.max !== undefined) rules.push(Max(limit.max));
  return applyDecorators(...rules);
}

function greaterThan(bound: number): PropertyDecorator {
  return ValidateBy({
    name: 'greaterThan',
    validator: { validate: (v: unknown) => typeof v === 'number' && v > bound, defaultMessage: (a) => `${a?.property} must be greater than ${bound}` },
  });
}
