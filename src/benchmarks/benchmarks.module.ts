import { Module } from '@nestjs/common';
import { BenchmarksController } from './benchmarks.controller';
import { BenchmarksService } from './benchmarks.service';
import { MacroBenchmarksController } from './macro.controller';
import { MacroBenchmarkService } from './macro.service';
import { MacroTableService } from './macro-table.service';
import { Nb201TableService } from './nb201-table.service';

/**
 * Benchmark look-up evaluators: NAS-Bench-201 (config.dataDir/nasbench201) and NAS-Bench-Macro
 * (config.dataDir/nasbench_macro), each loaded in the background, served under /v1/benchmarks. The table services
 * are exported for modules that need the in-process tables.
 */
@Module({
  providers: [Nb201TableService, BenchmarksService, MacroTableService, MacroBenchmarkService],
  controllers: [BenchmarksController, MacroBenchmarksController],
  exports: [Nb201TableService, MacroTableService],
})
export class BenchmarksModule {}
