import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { ProblemFilter, retryAfterSeconds } from '../../src/common/problem.filter';
import { InvalidInputError } from '../../src/common/errors';
import { isTransientDatabaseError } from '../../src/common/transient-db';

const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });

describe('isTransientDatabaseError and its 503 problem', () => {
  test('lost, refused or terminated connections are transient; constraint and syntax errors are not', () => {
    const transient: unknown[] = [
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new QueryFailedError('SELECT 1', [], withCode('terminating connection due to administrator command', '57P01')),
      new QueryRunnerAlreadyReleasedError(), // the connection under a transaction was terminated between two of its queries
      new QueryRunnerProviderAlreadyReleasedError(),
      Object.assign(new AggregateError([withCode('x', 'ECONNREFUSED')], 'all attempts failed')),
    ];
    for (const e of transient) assert.equal(isTransientDatabaseError(e), true, String(e));
    const permanent: unknown[] = [withCode('duplicate key value', '23505'), withCode('syntax error', '42601'), new Error('boom'), null, 'text'];
    for (const e of permanent) assert.equal(isTransientDatabaseError(e), false, String(e));
  });

  test('the problem filter answers 503 with Retry-After for them, 500 otherwise; domain errors keep their status', () => {
    const f = new ProblemFilter();
    const lost = withCode('terminating connection due to administrator command', '57P01');
    assert.equal(f.toProblem(lost, '/v1/jobs').status, 503);
    assert.equal(f.toProblem(lost, '/v1/jobs').type, 'urn:nas:problem:unavailable');
    assert.equal(retryAfterSeconds(lost), 2);
    assert.equal(f.toProblem(new Error('boom'), '/v1/jobs').status, 500);
    assert.equal(retryAfterSeconds(new Error('boom')), undefined);
    assert.equal(f.toProblem(new InvalidInputError('bad', []), '/x').status, 400);
  });
});
