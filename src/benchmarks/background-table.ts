import { Logger } from '@nestjs/common';
import { UnavailableError } from '../common/errors';
import type { BenchmarkStatus } from './dto/catalog.dto';

/**
 * A benchmark table loaded in the background: start() at module init, get() waits for a load in progress. When the
 * data is missing (`isMissing(error)`), get() answers that error (503 naming the directory) and the next call re-checks
 * the folder; any other load failure is final and answers 503 with the cause.
 */
export class BackgroundTable<T> {
  private table: T | null = null;
  private loading: Promise<T> | null = null;
  private failure: Error | null = null;
  private loadMs: number | null = null;

  constructor(
    private readonly title: string,
    readonly dir: string,
    private readonly load: (dir: string) => Promise<T>,
    private readonly isMissing: (e: unknown) => boolean,
    private readonly logger: Logger,
    private readonly describe: (t: T) => string,
  ) {}

  start(): void {
    void this.startLoad().catch(() => undefined);
  }

  status(): { status: BenchmarkStatus; message: string | null; table: T | null; loadMs: number | null } {
    if (this.table) return { status: 'ready', message: null, table: this.table, loadMs: this.loadMs };
    if (this.loading) return { status: 'loading', message: `the ${this.title} table is being loaded`, table: null, loadMs: null };
    if (this.failure) return { status: this.isMissing(this.failure) ? 'missing' : 'error', message: this.failure.message, table: null, loadMs: null };
    return { status: 'loading', message: `the ${this.title} table has not been loaded yet`, table: null, loadMs: null };
  }

  async get(): Promise<T> {
    if (this.table) return this.table;
    if (this.failure && !this.isMissing(this.failure)) throw new UnavailableError(`${this.title} table in ${this.dir} could not be loaded: ${this.failure.message}`);
    return this.startLoad();
  }

  private startLoad(): Promise<T> {
    if (this.loading) return this.loading;
    const t0 = performance.now();
    this.loading = this.load(this.dir)
      .then((t) => {
        this.table = t;
        this.failure = null;
        this.loadMs = Math.round(performance.now() - t0);
        this.logger.log(`${this.title} table loaded from ${this.dir}: ${this.describe(t)} in ${this.loadMs} ms`);
        return t;
      })
      .catch((e: unknown) => {
        const repeated = this.failure?.message === (e instanceof Error ? e.message : String(e));
        this.failure = e instanceof Error ? e : new Error(String(e));
        if (!repeated) {
          if (this.isMissing(e)) this.logger.warn(this.failure.message);
          else this.logger.error(`${this.title} table failed to load: ${this.failure.message}`);
        }
        throw e;
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }
}
