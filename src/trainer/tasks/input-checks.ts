import { FieldViolation, violation } from '../../common/errors';
import type { NumberLimit } from '../../common/limits';

/** A task input as it arrives over the process boundary: plain JSON, checked field by field. */
export type InputObject = Record<string, unknown>;

export interface NumberRule {
  int?: boolean;
  min?: number;
  exclusiveMin?: number;
  max?: number;
}

/** Reads `o[key]` (or the fallback) as a number obeying `rule`; a violation names `input.<key>`. */
export function numberField(o: InputObject, key: string, rule: NumberRule, out: FieldViolation[], fallback?: number): number {
  const v = o[key] ?? fallback;
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (!rule.int || Number.isInteger(v)) &&
    (rule.min === undefined || v >= rule.min) &&
    (rule.exclusiveMin === undefined || v > rule.exclusiveMin) &&
    (rule.max === undefined || v <= rule.max);
  if (!ok) {
    const parts = [rule.min !== undefined ? `>= ${rule.min}` : '', rule.exclusiveMin !== undefined ? `> ${rule.exclusiveMin}` : '', rule.max !== undefined ? `<= ${rule.max}` : ''];
    out.push(violation(`input.${key}`, rule.int ? 'isInt' : 'isNumber', `${key} must be ${rule.int ? 'an integer' : 'a number'} ${parts.filter(Boolean).join(' and ')}`.trim()));
  }
  return v as number;
}

/** Reads `o[key]` (or the fallback) as a boolean; a violation names `input.<key>`. */
export function booleanField(o: InputObject, key: string, out: FieldViolation[], fallback: boolean): boolean {
  const v = o[key] ?? fallback;
  if (typeof v !== 'boolean') out.push(violation(`input.${key}`, 'isBoolean', `${key} must be a boolean`));
  return v as boolean;
}

/** Reads `o[key]` against its declared limit (src/common/limits.ts), the limit's default when it is left out. */
export function limitField(o: InputObject, key: string, limit: NumberLimit, out: FieldViolation[]): number {
  return numberField(o, key, limit, out, limit.default);
}
