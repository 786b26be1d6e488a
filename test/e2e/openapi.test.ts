import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT } from '../../src/config/config';
import { startTestApp, TestApp } from '../support/harness';

const SPEC = path.join(REPO_ROOT, 'openapi', 'openapi.json');
const CLIENT_SCHEMA = path.join(REPO_ROOT, 'openapi', 'client', 'schema.d.ts');

describe('OpenAPI: the committed spec is the served spec, and the client is generated from it', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({}, { worker: false });
  });
  after(async () => t?.close());

  test('served /docs/openapi.json equals openapi/openapi.json (run `npm run openapi` after changing the API)', async () => {
    const served = await (await fetch(`${t.baseUrl}/docs/openapi.json`)).json();
    const committed = JSON.parse(fs.readFileSync(SPEC, 'utf8')) as unknown;
    assert.deepEqual(served, committed);
  });

  test('Swagger UI is served at /docs without an API key', async () => {
    const res = await fetch(`${t.baseUrl}/docs`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /swagger-ui/i);
  });

  test('openapi/client/schema.d.ts is what openapi-typescript generates from the committed spec', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oa-')), 'schema.d.ts');
    const bin = path.join(REPO_ROOT, 'node_modules', '.bin', 'openapi-typescript');
    const r = spawnSync(bin, [SPEC, '-o', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(fs.readFileSync(out, 'utf8'), fs.readFileSync(CLIENT_SCHEMA, 'utf8'));
  });
});
