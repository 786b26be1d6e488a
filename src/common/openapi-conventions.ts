/**
 * Conventions applied to the generated OpenAPI document in one place, so every operation documents the same things:
 * - public operations (no bearer requirement) say so with `security: []`;
 * - every error answer is an RFC 9457 problem document (`Problem` schema, `application/problem+json`), and each
 *   operation lists the 4xx it can give: 401 when it needs a key, 400 when it takes parameters or a body, 404 when
 *   its path names a resource, 429 on the key-checked routes (failed authentication is rate-limited per address);
 * - the kind-specific job `spec` and job `result` are typed as `anyOf` the per-kind schemas (plus an open object for
 *   the spec, which the server checks per kind), so a reader and a generated client see every kind's shape (and those
 *   schemas are referenced, not orphans);
 * - a server entry and the licence.
 * Plain functions over the document object: no Nest, so a unit test can check the rules directly.
 */
import type { OpenAPIObject } from '@nestjs/swagger';

type Json = Record<string, unknown>;
type Operation = { security?: unknown[]; parameters?: Array<{ in?: string }>; requestBody?: unknown; responses: Record<string, Json> };

export const PROBLEM_SCHEMA = 'Problem';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

const problemSchema: Json = {
  type: 'object',
  description: 'RFC 9457 problem document; `errors` names each offending field and the rule it broke.',
  properties: {
    type: { type: 'string', example: 'urn:nas:problem:invalid-input' },
    title: { type: 'string', example: 'Bad Request' },
    status: { type: 'integer', example: 400 },
    detail: { type: 'string' },
    instance: { type: 'string', example: '/v1/jobs' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { field: { type: 'string', example: 'spec.queries' }, rule: { type: 'string', example: 'max' }, message: { type: 'string' } },
        required: ['field', 'rule', 'message'],
      },
    },
  },
  required: ['type', 'title', 'status'],
};

const DEFAULT_TEXT: Record<string, string> = {
  '400': 'Invalid parameters or body: the problem names each field and rule.',
  '401': 'Missing, unknown or revoked API key.',
  '404': "No such resource for this team (another team's resources are 404 too).",
  '429': 'Too many failed authentications from this address; retry after the Retry-After header.',
};

function problemResponse(description: string): Json {
  return { description, content: { 'application/problem+json': { schema: { $ref: `#/components/schemas/${PROBLEM_SCHEMA}` } } } };
}

function addIfMissing(op: Operation, code: string): void {
  if (!op.responses[code]) op.responses[code] = problemResponse(DEFAULT_TEXT[code]);
}

/** Applies the conventions above to `doc` in place and returns it. */
export function applyApiConventions(doc: OpenAPIObject, kinds: { specSchemas: string[]; resultSchemas: string[]; untypedResults: boolean }): OpenAPIObject {
  doc.servers = [{ url: 'http://127.0.0.1:3000', description: 'Default local address (HOST, PORT)' }];
  doc.info.license = { name: 'UNLICENSED', url: 'https://spdx.org/licenses/' };
  const schemas = (doc.components ??= {}).schemas ?? (doc.components.schemas = {});
  schemas[PROBLEM_SCHEMA] = problemSchema;

  for (const [route, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) {
      const op = (item as Record<string, Operation | undefined>)[m];
      if (!op) continue;
      const authenticated = Array.isArray(op.security) && op.security.length > 0;
      if (!authenticated) op.security = [];
      else {
        addIfMissing(op, '401');
        addIfMissing(op, '429');
      }
      if ((op.parameters?.length ?? 0) > 0 || op.requestBody) addIfMissing(op, '400');
      if (/\{[^}]+\}/.test(route)) addIfMissing(op, '404');
      for (const [code, res] of Object.entries(op.responses)) {
        if (!/^[45]/.test(code) || res.$ref) continue;
        const content = res.content as Record<string, unknown> | undefined;
        // errors leave through the one problem filter, always as application/problem+json
        if (!content) op.responses[code] = problemResponse(String(res.description ?? DEFAULT_TEXT[code] ?? 'Problem'));
        else if (content['application/json'] && !content['application/problem+json']) res.content = { 'application/problem+json': content['application/json'] };
      }
    }
  }

  const anyOf = (names: string[]): Json[] => [...new Set(names)].filter((n) => schemas[n]).map((n) => ({ $ref: `#/components/schemas/${n}` }));
  const createJob = schemas.CreateJobDto as { properties?: Record<string, Json> } | undefined;
  if (createJob?.properties?.spec) {
    const { description, example } = createJob.properties.spec;
    // the open object last: a spec is checked per kind by the server (422/400 naming the field), so a client may send any object
    createJob.properties.spec = { description, example, anyOf: [...anyOf(kinds.specSchemas), { type: 'object', additionalProperties: true }] };
  }
  const jobResult = schemas.JobResultDto as { properties?: Record<string, Json> } | undefined;
  if (jobResult?.properties?.result) {
    jobResult.properties.result = {
      description: "The kind's result (its schema is the kind's resultSchema in GET /v1/jobs/kinds).",
      anyOf: [...anyOf(kinds.resultSchemas), ...(kinds.untypedResults ? [{ type: 'object', additionalProperties: true }] : [])],
    };
  }
  return doc;
}
