import type { EntityManager } from 'typeorm';
import type { JobEventType } from './job-event.entity';

/** Appends to the job's event log (inside the caller's transaction when given its manager). */
export async function appendJobEvent(m: EntityManager, jobId: string, type: JobEventType, data: Record<string, unknown> = {}): Promise<void> {
  await m.query(`INSERT INTO job_events (job_id, type, data) VALUES ($1, $2, $3)`, [jobId, type, JSON.stringify(data)]);
}
