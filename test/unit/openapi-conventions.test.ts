/**
 * The committed OpenAPI spec follows the conventions of src/common/openapi-conventions.ts (test/e2e/openapi.test.ts
 * checks that it is the served one): exactly the probes and /metrics are public, every operation has a summary,
 * every one but the two probes documents a 4xx, every error answer is a problem document, and the per-kind spec and
 * result schemas are referenced from the job DTOs.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { applyApiConventions } from '../../src/common/openapi-conventions';
import type { OpenAPIObject } from '@nestjs/swagger';

type Op = { summary?: string; security?: unknown[]; responses: Record<string, { content?: Record<string, unknown> }> };
const spec = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'openapi', 'openapi.json'), 'utf8')) as OpenAPIObject;
const ops: Array<[string, Op]> = Object.entries(spec.paths).flatMap(([p, item]) =>
  Object.entries(item as Record<string, Op>).map(([m, op]): [string, Op] => [`${m.toUpperCase()} ${p}`, op]),
);

describe('OpenAPI conventions of the committed spec', () => {
  test('exactly the probes and /metrics are public (security: [])', () => {
    const open = ops.filter(([, op]) => Array.isArray(op.security) && op.security.length === 0).map(([n]) => n);
    assert.deepEqual(open.sort(), ['GET /healthz', 'GET /metrics', 'GET /readyz']);
    for (const [n, op] of ops) assert.ok(Array.isArray(op.security), `${n} states its security`);
  });

  test('every operation has a summary, and every one but the probes a 4xx; errors are problem documents', () => {
    for (const [n, op] of ops) {
      assert.ok(op.summary, `${n} has a summary`);
      const codes = Object.keys(op.responses);
      if (!['GET /healthz', 'GET /readyz'].includes(n)) assert.ok(codes.some((c) => c.startsWith('4')), `${n} documents a 4xx`);
      for (const c of codes.filter((c) => /^[45]/.test(c))) {
        const content = op.responses[c].content ?? {};
        assert.ok('application/problem+json' in content, `${n} ${c} is a problem document`);
      }
    }
  });

  test('servers, licence, and the per-kind spec/result schemas referenced', () => {
    assert.ok(spec.servers?.length);
    assert.ok(spec.info.license?.name);
    const text = JSON.stringify(spec.components?.schemas?.CreateJobDto);
    for (const name of ['Nb201SearchSpec', 'Nb201TrainSpec', 'SeNasNb201Spec', 'SposNb201Spec', 'DatasetBaselineSpec']) assert.ok(text.includes(`#/components/schemas/${name}`), name);
  });
});

describe('applyApiConventions', () => {
  const base = (): OpenAPIObject => ({
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {
      '/open': { get: { responses: { '200': { description: 'ok' } } } },
      '/v1/things/{id}': { get: { security: [{ bearer: [] }], parameters: [{ name: 'id', in: 'path', required: true }], responses: { '200': { description: 'ok' }, '409': { description: 'busy' } } } },
    },
    components: { schemas: { CreateJobDto: { type: 'object', properties: { spec: { type: 'object', description: 'd' } } }, ASpec: { type: 'object' } } },
  });

  test('adds 401/429/400/404 problems where they apply, keeps given texts, marks public operations', () => {
    const doc = applyApiConventions(base(), { specSchemas: ['ASpec', 'ASpec'], resultSchemas: [], untypedResults: true });
    const open = doc.paths['/open'].get!;
    assert.deepEqual(open.security, []);
    assert.deepEqual(Object.keys(open.responses), ['200']);
    const thing = doc.paths['/v1/things/{id}'].get!;
    assert.deepEqual(Object.keys(thing.responses).sort(), ['200', '400', '401', '404', '409', '429']);
    assert.equal((thing.responses['409'] as { description: string }).description, 'busy');
    const spec = (doc.components!.schemas!.CreateJobDto as { properties: { spec: { anyOf: unknown[] } } }).properties.spec;
    assert.deepEqual(spec.anyOf, [{ $ref: '#/components/schemas/ASpec' }, { type: 'object', additionalProperties: true }]);
  });
});
