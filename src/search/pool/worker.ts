import { domainErrorToWire } from '../../common/errors';
import type { PoolDomainErrorResult, PoolEnvelope, PoolMessage } from './protocol';
import { poolTaskTable } from './tasks';

/** Piscina worker-thread entry: runs one named task, reporting through the envelope's MessagePort. */
export default async function runPoolTask(envelope: PoolEnvelope): Promise<unknown> {
  const fn = (await poolTaskTable()).get(envelope.task);
  if (!fn) throw new Error(`unknown pool task "${envelope.task}"`);
  const emit = (m: PoolMessage): void => envelope.port.postMessage(m);
  try {
    return await fn(envelope.input as never, envelope.checkpoint, emit);
  } catch (e) {
    const wire = domainErrorToWire(e);
    if (wire) return { poolDomainError: wire } satisfies PoolDomainErrorResult;
    throw e;
  } finally {
    envelope.port.close();
  }
}
