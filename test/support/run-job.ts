// Submits a job through the generated client, follows its SSE stream to the end, asserts it succeeded and returns
// its result with the progress events it streamed (the e2e tests' common path).
import assert from 'node:assert/strict';
import type { NasClient } from '../../openapi/client';
import { readSse } from './sse';

type Json = Record<string, unknown>;

export async function runJobToSuccess(baseUrl: string, key: string, client: NasClient, kind: string, spec: Json, timeoutMs: number): Promise<{ id: string; result: Json; progress: Json[] }> {
  const { data, response } = await client.POST('/v1/jobs', { body: { kind, spec } });
  assert.equal(response.status, 202, JSON.stringify(data));
  assert.ok(data);
  const stream = await readSse(`${baseUrl}/v1/jobs/${data.id}/events`, { Authorization: `Bearer ${key}` }, timeoutMs);
  const types = stream.events.map((e) => e.event);
  assert.equal(types[types.length - 1], 'succeeded', JSON.stringify(stream.events[stream.events.length - 1]));
  const res = await client.GET('/v1/jobs/{id}/result', { params: { path: { id: data.id } } });
  return { id: data.id, result: res.data?.result as Json, progress: stream.events.filter((e) => e.event === 'progress').map((e) => e.data as Json) };
}
