export interface SseEvent {
  id: string;
  event: string;
  data: Record<string, unknown>;
}

/** Reads a whole SSE stream (until the server ends it or the timeout passes) and parses its events. */
export async function readSse(url: string, headers: Record<string, string>, timeoutMs = 30_000): Promise<{ status: number; contentType: string; events: SseEvent[] }> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  const contentType = res.headers.get('content-type') ?? '';
  if (!res.ok || !res.body) return { status: res.status, contentType, events: [] };
  const text = await res.text();
  const events: SseEvent[] = [];
  for (const block of text.split('\n\n')) {
    const lines = block.split('\n').filter((l) => l && !l.startsWith(':'));
    if (!lines.length) continue;
    const field = (name: string): string => lines.filter((l) => l.startsWith(`${name}: `)).map((l) => l.slice(name.length + 2)).join('\n');
    events.push({ id: field('id'), event: field('event'), data: JSON.parse(field('data') || '{}') as Record<string, unknown> });
  }
  return { status: res.status, contentType, events };
}

export async function waitFor<T>(fn: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
