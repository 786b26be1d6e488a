import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { MessageChannel } from 'node:worker_threads';
import * as path from 'node:path';
import { Piscina } from 'piscina';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { domainErrorFromWire } from '../../common/errors';
import { isPoolDomainError, PoolEnvelope, PoolMessage } from './protocol';

/** Longest wait for a finished task's message port to drain (a worker that never closes it is not waited for longer). */
const PORT_DRAIN_TIMEOUT_MS = 2000;

export interface PoolRunOptions {
  checkpoint: unknown | null;
  signal: AbortSignal;
  onMessage(m: PoolMessage): void;
}

/** The Piscina thread pool for CPU-bound search steps; aborting the signal terminates the task's thread. */
@Injectable()
export class SearchPoolService implements OnApplicationShutdown {
  private pool: Piscina | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private get piscina(): Piscina {
    this.pool ??= new Piscina({
      filename: path.join(__dirname, 'worker.js'),
      maxThreads: Math.max(1, this.config.piscinaThreads),
      minThreads: 0,
      idleTimeout: 60_000,
    });
    return this.pool;
  }

  async run<I, O>(task: string, input: I, opts: PoolRunOptions): Promise<O> {
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (m: PoolMessage) => opts.onMessage(m));
    const envelope: PoolEnvelope = { task, input, checkpoint: opts.checkpoint, port: port2 };
    // the worker closes its end when the task returns; 'close' arrives here after every message it posted before, so
    // waiting for it delivers the last progress/checkpoint messages (the task's result travels on another channel
    // and can arrive first; closing port1 at once dropped them)
    const drained = new Promise<void>((resolve) => port1.once('close', () => resolve()));
    try {
      const out: unknown = await this.piscina.run(envelope, { signal: opts.signal, transferList: [port2] });
      await Promise.race([drained, new Promise<void>((resolve) => setTimeout(resolve, PORT_DRAIN_TIMEOUT_MS).unref())]);
      if (isPoolDomainError(out)) throw domainErrorFromWire(out.poolDomainError) ?? new Error(out.poolDomainError.message);
      return out as O;
    } finally {
      port1.close();
    }
  }

  get threads(): number {
    return this.pool?.threads.length ?? 0;
  }

  /** After the job runner has stopped its tasks (module-destroy phase). */
  async onApplicationShutdown(): Promise<void> {
    await this.pool?.destroy();
  }
}
