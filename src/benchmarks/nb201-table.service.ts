import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { UnavailableError } from '../common/errors';
import { APP_CONFIG, AppConfig } from '../config/config';
import { BenchmarkDataMissingError } from './nb201/errors';
import { loadNb201TableAsync, resolveNb201Dir } from './nb201/load';
import { Nb201Data } from './nb201/table';
import { BenchmarkStatus } from './dto/catalog.dto';

/**
 * Owns the process-wide NB201 table: starts loading it in the background on module init (so start-up and
 * readiness are not delayed), and hands it to requests (waiting for a load in progress). When the data is missing,
 * every call answers 503 naming the directory, and the next request re-checks the folder.
 */
@Injectable()
export class Nb201TableService implements OnModuleInit {
  private readonly logger = new Logger(Nb201TableService.name);
  readonly dir: string;
  private table: Nb201Data | null = null;
  private loading: Promise<Nb201Data> | null = null;
  private failure: Error | null = null;
  private loadMs: number | null = null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.dir = resolveNb201Dir(config.dataDir);
  }

  onModuleInit(): void {
    void this.startLoad().catch(() => undefined);
  }

  status(): { status: BenchmarkStatus; message: string | null; table: Nb201Data | null; loadMs: number | null } {
    if (this.table) return { status: 'ready', message: null, table: this.table, loadMs: this.loadMs };
    if (this.loading) return { status: 'loading', message: 'the NB201 tables are being loaded', table: null, loadMs: null };
    if (this.failure) {
      const missing = this.failure instanceof BenchmarkDataMissingError;
      return { status: missing ? 'missing' : 'error', message: this.failure.message, table: null, loadMs: null };
    }
    return { status: 'loading', message: 'the NB201 tables have not been loaded yet', table: null, loadMs: null };
  }

  /** The table, or a 503 (BenchmarkDataMissingError / UnavailableError). */
  async get(): Promise<Nb201Data> {
    if (this.table) return this.table;
    if (this.failure && !(this.failure instanceof BenchmarkDataMissingError)) {
      throw new UnavailableError(`NAS-Bench-201 tables in ${this.dir} could not be loaded: ${this.failure.message}`);
    }
    return this.startLoad();
  }

  private startLoad(): Promise<Nb201Data> {
    if (this.loading) return this.loading;
    const t0 = performance.now();
    this.loading = loadNb201TableAsync(this.dir)
      .then((t) => {
        this.table = t;
        this.failure = null;
        this.loadMs = Math.round(performance.now() - t0);
        this.logger.log(`NB201 table loaded from ${this.dir}: ${t.size} archs, ${t.devices.length} devices in ${this.loadMs} ms`);
        return t;
      })
      .catch((e: unknown) => {
        const repeated = this.failure?.message === (e instanceof Error ? e.message : String(e));
        this.failure = e instanceof Error ? e : new Error(String(e));
        // log once per distinct failure, not on every request that re-checks the folder
        if (!repeated) {
          if (e instanceof BenchmarkDataMissingError) this.logger.warn(e.message);
          else this.logger.error(`NB201 table failed to load: ${this.failure.message}`);
        }
        throw e;
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }
}
