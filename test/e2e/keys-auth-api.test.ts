// Key rotation over the API (GET/POST /v1/keys, DELETE /v1/keys/{id}) with team isolation, the per-address limit on
// failed authentications (@nestjs/throttler's storage) and the optional METRICS_TOKEN on /metrics.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DataSource } from 'typeorm';
import { createNasClient } from '../../openapi/client';
import { AuthService, hashKey } from '../../src/auth/auth.service';
import { startTestApp, TestApp } from '../support/harness';

const get = (t: TestApp, path: string, key?: string): Promise<Response> => fetch(`${t.baseUrl}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

describe('key rotation: GET/POST /v1/keys, DELETE /v1/keys/{id}', () => {
  let t: TestApp;
  let a: { key: string; teamId: string };
  let b: { key: string; teamId: string };

  before(async () => {
    t = await startTestApp({}, { worker: false });
    a = await t.createTeam('keys-a');
    b = await t.createTeam('keys-b');
  });
  after(async () => t?.close());

  test('create a key (shown once, stored hashed), list, rotate, revoke; the last key cannot be revoked', async () => {
    const client = createNasClient(t.baseUrl, a.key);
    const listed = await client.GET('/v1/keys');
    assert.equal(listed.response.status, 200);
    assert.equal(listed.data?.items.length, 1);
    const first = listed.data!.items[0];
    assert.equal(first.current, true);
    assert.ok(a.key.startsWith(first.prefix));
    assert.ok(!JSON.stringify(listed.data).includes(a.key), 'the secret is never listed');

    const created = await client.POST('/v1/keys');
    assert.equal(created.response.status, 201);
    assert.ok(created.data);
    const newKey = created.data.key;
    assert.match(newKey, /^nas_/);
    assert.equal(created.response.headers.get('location'), `/v1/keys/${created.data.id}`);
    assert.equal(created.data.current, false);
    const rows: Array<{ key_hash: string }> = await t.app.get(DataSource).query(`SELECT key_hash FROM api_keys WHERE id = $1`, [created.data.id]);
    assert.equal(rows[0].key_hash, hashKey(newKey), 'stored as its SHA-256');
    assert.ok(!JSON.stringify(rows).includes(newKey));

    // the new key works, and sees both keys (itself as current)
    const withNew = createNasClient(t.baseUrl, newKey);
    const both = await withNew.GET('/v1/keys');
    assert.deepEqual(both.data?.items.map((k) => [k.id, k.current]), [[first.id, false], [created.data.id, true]]);
    assert.equal(both.data?.items.some((k) => 'key' in k), false, 'the list never shows a key again');

    // rotate: revoke the old key with the new one; the old key stops working at once on this process
    assert.equal((await get(t, '/v1/me', a.key)).status, 200, 'old key is cached as valid');
    const del = await withNew.DELETE('/v1/keys/{id}', { params: { path: { id: first.id } } });
    assert.equal(del.response.status, 204);
    assert.equal((await get(t, '/v1/me', a.key)).status, 401, 'revocation evicts the key from this process\'s cache');
    assert.equal((await get(t, '/v1/me', newKey)).status, 200);

    // the last active key cannot be revoked
    const last = await withNew.DELETE('/v1/keys/{id}', { params: { path: { id: created.data.id } } });
    assert.equal(last.response.status, 409);
    assert.equal((last.error as unknown as { errors?: Array<{ field: string; rule: string }> })?.errors?.[0]?.rule, 'notLastKey');
    assert.equal((await get(t, '/v1/me', newKey)).status, 200);
    // revoking twice: the key is no longer active
    const again = await withNew.DELETE('/v1/keys/{id}', { params: { path: { id: first.id } } });
    assert.equal(again.response.status, 404);
    a = { ...a, key: newKey };
  });

  test('two concurrent revocations of a team\'s last two keys: exactly one succeeds (the team row is locked)', async () => {
    const client = createNasClient(t.baseUrl, a.key);
    await client.POST('/v1/keys');
    const ids = (await client.GET('/v1/keys')).data!.items.map((k) => k.id);
    assert.equal(ids.length, 2);
    // straight to the service, so that neither call's own authentication races with the other's revocation
    const auth = t.app.get(AuthService);
    const r = await Promise.allSettled([auth.revokeKey({ id: a.teamId }, ids[0]), auth.revokeKey({ id: a.teamId }, ids[1])]);
    assert.deepEqual(r.map((x) => x.status).sort(), ['fulfilled', 'rejected']);
    const err = (r.find((x) => x.status === 'rejected') as PromiseRejectedResult).reason as { status?: number };
    assert.equal(err.status, 409);
    const rows: Array<{ n: string }> = await t.app.get(DataSource).query(`SELECT count(*) AS n FROM api_keys WHERE team_id = $1 AND revoked_at IS NULL`, [a.teamId]);
    assert.equal(Number(rows[0].n), 1);
    const left: Array<{ id: string }> = await t.app.get(DataSource).query(`SELECT id FROM api_keys WHERE team_id = $1 AND revoked_at IS NULL`, [a.teamId]);
    a = { ...a, key: left[0].id === ids[0] ? a.key : (await auth.issueKey({ id: a.teamId } as never)).key };
  });

  test('isolation: a team never lists, sees or revokes another team\'s keys', async () => {
    const ca = createNasClient(t.baseUrl, a.key);
    const cb = createNasClient(t.baseUrl, b.key);
    const extraB = (await cb.POST('/v1/keys')).data!;
    const aIds = (await ca.GET('/v1/keys')).data!.items.map((k) => k.id);
    const bIds = (await cb.GET('/v1/keys')).data!.items.map((k) => k.id);
    assert.equal(aIds.filter((id) => bIds.includes(id)).length, 0);
    assert.ok(bIds.includes(extraB.id));
    const cross = await ca.DELETE('/v1/keys/{id}', { params: { path: { id: extraB.id } } });
    assert.equal(cross.response.status, 404);
    assert.equal((await get(t, '/v1/me', extraB.key)).status, 200, "B's key still works");
    const bad = await ca.DELETE('/v1/keys/{id}', { params: { path: { id: 'not-a-uuid' } } });
    assert.equal(bad.response.status, 400);
    assert.equal((bad.error as unknown as { errors?: Array<{ field: string }> })?.errors?.[0]?.field, 'id');
    assert.equal((await get(t, '/v1/keys')).status, 401, 'needs a key');
  });
});

describe('failed authentication is rate-limited per client address; /metrics can require a token', () => {
  let t: TestApp;
  let key: string;

  before(async () => {
    t = await startTestApp({ authFailureLimit: 5, authFailureWindowSeconds: 60, authFailureBlockSeconds: 30, metricsToken: 'metrics-secret' }, { worker: false });
    key = (await t.createTeam('throttle')).key;
  });
  after(async () => t?.close());

  test('beyond AUTH_FAILURE_LIMIT invalid keys the address gets 429 + Retry-After without a database query; a cached valid key still works', async () => {
    assert.equal((await get(t, '/v1/me', key)).status, 200); // the valid key is now cached
    for (let i = 0; i < 5; i++) assert.equal((await get(t, '/v1/me', `nas_wrong_${i}`)).status, 401, `failure ${i + 1}`);
    const blocked = await get(t, '/v1/me', 'nas_wrong_6');
    assert.equal(blocked.status, 429);
    assert.match(blocked.headers.get('content-type') ?? '', /application\/problem\+json/);
    const retry = Number(blocked.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 30, `Retry-After ${blocked.headers.get('retry-after')}`);
    const problem = (await blocked.json()) as { status: number; type: string };
    assert.equal(problem.status, 429);
    // while blocked, even a not-yet-cached key is refused without looking it up
    const auth = t.app.get(AuthService);
    let lookups = 0;
    const verifyKey = auth.verifyKey.bind(auth);
    auth.verifyKey = (k: string) => {
      lookups++;
      return verifyKey(k);
    };
    assert.equal((await get(t, '/v1/me', 'nas_wrong_7')).status, 429);
    assert.equal(lookups, 0, 'no key look-up while blocked');
    auth.verifyKey = verifyKey;
    // a key verified before (cached) costs nothing and still works
    assert.equal((await get(t, '/v1/me', key)).status, 200);
  });

  test('METRICS_TOKEN: /metrics is 401 without it (or with an API key) and 200 with it', async () => {
    assert.equal((await get(t, '/metrics')).status, 401);
    assert.equal((await get(t, '/metrics', 'wrong')).status, 401);
    const ok = await get(t, '/metrics', 'metrics-secret');
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /process_cpu/);
  });
});

