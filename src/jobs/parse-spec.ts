import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { InvalidInputError } from '../common/errors';
import { flattenValidationErrors } from '../common/validation';
import type { JobKindDefinition } from './job-kind';

/**
 * A job's spec as an instance of its kind's DTO, validated by the DTO's rules (unknown properties rejected, every
 * violation named `spec.<field>`). The job service parses a spec so at submission, and the runner parses the stored
 * spec so once more before run(): a kind always gets its DTO, never raw JSON.
 */
export async function parseSpec<S extends object>(def: Pick<JobKindDefinition<S>, 'kind' | 'specClass'>, raw: unknown): Promise<S> {
  const spec = plainToInstance(def.specClass, raw, { excludeExtraneousValues: false });
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    throw new InvalidInputError(`invalid spec for kind ${def.kind}: must be an object`, [{ field: 'spec', rule: 'isObject', message: 'spec must be an object' }]);
  }
  const errors = await validate(spec, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) {
    const violations = flattenValidationErrors(errors, 'spec');
    throw new InvalidInputError(`invalid spec for kind ${def.kind}: ${violations.map((v) => `${v.field}: ${v.message}`).join('; ')}`, violations);
  }
  return spec;
}
