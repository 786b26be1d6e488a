// Per-request plumbing of the HTTP API that was tuned for latency (benchmarks/benchmark/perf.ts): the Express
// request/response classes, the validation pipe's blank-DTO shortcut, the API-key look-up that runs once per key
// at a time, and the logger settings by LOG_LEVEL.
import assert from 'node:assert/strict';
import { ArgumentMetadata } from '@nestjs/common';
import { IsIn, IsInt, IsOptional } from 'class-validator';
import express from 'express';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { ApiKey } from '../../src/auth/api-key.entity';
import { AuthService, hashKey } from '../../src/auth/auth.service';
import { Team } from '../../src/auth/team.entity';
import { expressMessageClasses } from '../../src/common/express-adapter';
import { loggerParams, logsInfo, requestBinding } from '../../src/common/logging';
import { ValidationProblem } from '../../src/common/problem.filter';
import { createValidationPipe } from '../../src/common/validation';

describe('expressMessageClasses', () => {
  test('requests and responses are built on app.request / app.response, and Express still works on them', async () => {
    const app = express();
    const seen: { reqProto: boolean; resProto: boolean; app: boolean }[] = [];
    app.get('/x', (req, res) => {
      seen.push({ reqProto: Object.getPrototypeOf(req) === app.request, resProto: Object.getPrototypeOf(res) === app.response, app: req.app === app });
      res.status(201).json({ ua: req.get('x-test'), q: req.query.a ?? null });
    });
    const classes = expressMessageClasses(app);
    const server = http.createServer(classes, app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      // built on the prototypes before Express sees them (so its Object.setPrototypeOf changes nothing)
      assert.equal(classes.IncomingMessage.prototype, app.request);
      assert.equal(classes.ServerResponse.prototype, app.response);
      const port = (server.address() as AddressInfo).port;
      const res = await fetch(`http://127.0.0.1:${port}/x?a=1`, { headers: { 'x-test': 'yes' } });
      assert.equal(res.status, 201);
      assert.deepEqual(await res.json(), { ua: 'yes', q: '1' });
      assert.deepEqual(seen, [{ reqProto: true, resProto: true, app: true }]);
      const missing = await fetch(`http://127.0.0.1:${port}/nope`);
      assert.equal(missing.status, 404);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

class OptionalQuery {
  @IsOptional()
  @IsIn(['a', 'b'])
  kind?: string;
}

class RequiredQuery {
  @IsInt()
  n!: number;
}

describe('validation pipe', () => {
  const pipe = createValidationPipe();
  const query = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'query', metatype, data: undefined });

  test('a blank DTO of a class whose rules allow it passes every time, as an instance of the class', async () => {
    for (let k = 0; k < 3; k++) {
      const v: unknown = await pipe.transform({}, query(OptionalQuery));
      assert.ok(v instanceof OptionalQuery);
      assert.equal((v as OptionalQuery).kind, undefined);
    }
  });

  test('after blank DTOs passed, a set property is still validated, and unknown properties still rejected', async () => {
    await pipe.transform({}, query(OptionalQuery));
    assert.equal(((await pipe.transform({ kind: 'a' }, query(OptionalQuery))) as OptionalQuery).kind, 'a');
    await assert.rejects(pipe.transform({ kind: 'c' }, query(OptionalQuery)), (e: unknown) => e instanceof ValidationProblem && e.violations[0].field === 'kind');
    await assert.rejects(pipe.transform({ other: '1' }, query(OptionalQuery)), (e: unknown) => e instanceof ValidationProblem && e.violations[0].field === 'other');
    await pipe.transform({}, query(OptionalQuery));
  });

  test('a blank DTO of a class with a required property fails every time', async () => {
    for (let k = 0; k < 3; k++) {
      await assert.rejects(pipe.transform({}, query(RequiredQuery)), (e: unknown) => e instanceof ValidationProblem && e.violations[0].field === 'n');
    }
  });
});

describe('AuthService.verify', () => {
  const team = Object.assign(new Team(), { id: 't1', name: 'team-1' });

  function serviceWithKeys(active: Map<string, Team>): { auth: AuthService; queries: () => number } {
    let queries = 0;
    const keys = {
      async findOne(opts: { where: { keyHash: string } }): Promise<ApiKey | null> {
        queries++;
        await new Promise((r) => setTimeout(r, 20)); // a database round trip
        const t = active.get(opts.where.keyHash);
        return t ? Object.assign(new ApiKey(), { keyHash: opts.where.keyHash, team: t }) : null;
      },
    };
    const auth = new AuthService({} as never, keys as never);
    return { auth, queries: () => queries };
  }

  test('concurrent requests with an uncached key share one database look-up, and later ones hit the cache', async () => {
    const { auth, queries } = serviceWithKeys(new Map([[hashKey('nas_good'), team]]));
    const results = await Promise.all(Array.from({ length: 20 }, () => auth.verify('nas_good')));
    assert.ok(results.every((t) => t === team));
    assert.equal(queries(), 1);
    assert.equal(await auth.verify('nas_good'), team);
    assert.equal(queries(), 1);
  });

  test('an unknown key is looked up again on its next request (not remembered as valid)', async () => {
    const { auth, queries } = serviceWithKeys(new Map());
    const results = await Promise.all([auth.verify('nas_bad'), auth.verify('nas_bad')]);
    assert.deepEqual(results, [null, null]);
    assert.equal(queries(), 1);
    assert.equal(await auth.verify('nas_bad'), null);
    assert.equal(queries(), 2);
  });
});

describe('logger settings', () => {
  test('info and lower levels log requests; warn, error, fatal and silent mount no request middleware', () => {
    for (const level of ['trace', 'debug', 'info']) {
      assert.equal(logsInfo(level), true, level);
      assert.equal(loggerParams(level).forRoutes, undefined, level);
    }
    for (const level of ['warn', 'error', 'fatal', 'silent']) {
      assert.equal(logsInfo(level), false, level);
      assert.deepEqual(loggerParams(level).forRoutes, [], level);
    }
  });

  test('a request is bound as id, method and URL only (no headers, so no API key)', () => {
    const req = { id: 7, method: 'GET', url: '/v1/me', originalUrl: '/v1/me?x=1', headers: { authorization: 'Bearer nas_secret' } };
    const bound = requestBinding(req as unknown as Parameters<typeof requestBinding>[0]);
    assert.deepEqual(bound, { id: 7, method: 'GET', url: '/v1/me?x=1' });
    assert.ok(!JSON.stringify(bound).includes('nas_secret'));
  });
});
