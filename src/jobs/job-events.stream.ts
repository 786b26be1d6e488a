import type { Request, Response } from 'express';
import { InvalidInputError, violation } from '../common/errors';
import { TERMINAL_STATUSES } from './job.entity';
import { toEventDto } from './job-mapper';
import type { JobsService } from './jobs.service';

const POLL_MS = 250;
const KEEPALIVE_MS = 15_000;
const BATCH = 500;

/** Event ids are PostgreSQL bigints (signed 64-bit). */
export const MAX_EVENT_ID = 2n ** 63n - 1n;

/**
 * The event id to resume after: '0' when the Last-Event-ID header is absent or empty, else the header's value,
 * which must be a decimal integer in 0..MAX_EVENT_ID (anything else is a 400 naming the header, so a client
 * does not reconnect forever to an empty stream).
 */
export function parseLastEventId(header: string | undefined): string {
  const raw = (header ?? '').trim();
  if (raw === '') return '0';
  if (!/^\d{1,25}$/.test(raw) || BigInt(raw) > MAX_EVENT_ID) {
    throw new InvalidInputError(`Last-Event-ID must be an event id: a decimal integer from 0 to ${MAX_EVENT_ID}, got ${JSON.stringify(raw.slice(0, 40))}`, [
      violation('Last-Event-ID', 'eventId', `a decimal integer from 0 to ${MAX_EVENT_ID}`),
    ]);
  }
  return BigInt(raw).toString();
}

/**
 * Streams a job's event log as SSE. The database is the channel (workers may run on other machines):
 * new events are polled by id, and the stream ends once the job is terminal and every event has been sent.
 */
export async function streamJobEvents(jobs: JobsService, jobId: string, afterId: string, req: Request, res: Response): Promise<void> {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  let closed = false;
  req.on('close', () => {
    closed = true;
  });
  let last = afterId;
  let lastWrite = Date.now();
  while (!closed) {
    const status = await jobs.status(jobId);
    const batch = await jobs.eventsAfter(jobId, last, BATCH);
    for (const e of batch) {
      const dto = toEventDto(e);
      res.write(`id: ${dto.id}\nevent: ${dto.type}\ndata: ${JSON.stringify({ ...dto.data, at: dto.createdAt })}\n\n`);
      last = dto.id;
      lastWrite = Date.now();
    }
    // status was read before the events: a terminal status means its final event is in this batch or earlier
    if (status === null || (TERMINAL_STATUSES.includes(status) && batch.length < BATCH)) break;
    if (Date.now() - lastWrite > KEEPALIVE_MS) {
      res.write(': keep-alive\n\n');
      lastWrite = Date.now();
    }
    if (batch.length < BATCH) await new Promise((r) => setTimeout(r, POLL_MS)); // a full batch means more are waiting
  }
  res.end();
}
