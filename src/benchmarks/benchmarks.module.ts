import { Module } from '@nestjs/common';
import { BenchmarksController } from './benchmarks.controller';
import { BenchmarksService } from './benchmarks.service';
import { Nb201TableService } from './nb201-table.service';

/**
 * NAS-Bench-201 look-up evaluator: loads the tables from config.dataDir/nasbench201 in the background and serves
 * /v1/benchmarks. Nb201TableService is exported for modules that need the in-process table.
 */
@Module({
  providers: [Nb201TableService, BenchmarksService],
  controllers: [BenchmarksController],
  exports: [Nb201TableService],
})
export class BenchmarksModule {}
