import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { BackgroundTable } from './background-table';
import type { BenchmarkStatus } from './dto/catalog.dto';
import { MacroDataMissingError, loadMacroTableAsync, resolveMacroDir } from './macro/load';
import type { MacroData } from './macro/table';

/** Owns the process-wide NAS-Bench-Macro table (config.dataDir/nasbench_macro), loaded in the background. */
@Injectable()
export class MacroTableService implements OnModuleInit {
  readonly dir: string;
  private readonly table: BackgroundTable<MacroData>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.dir = resolveMacroDir(config.dataDir);
    this.table = new BackgroundTable(
      'NAS-Bench-Macro',
      this.dir,
      loadMacroTableAsync,
      (e) => e instanceof MacroDataMissingError,
      new Logger(MacroTableService.name),
      (t) => `${t.size} keys, ${t.networkCount} networks`,
    );
  }

  onModuleInit(): void {
    this.table.start();
  }

  status(): { status: BenchmarkStatus; message: string | null; table: MacroData | null; loadMs: number | null } {
    return this.table.status();
  }

  /** The table, or a 503 (MacroDataMissingError / UnavailableError). */
  get(): Promise<MacroData> {
    return this.table.get();
  }
}
