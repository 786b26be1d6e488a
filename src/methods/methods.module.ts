import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { BenchmarksModule } from '../benchmarks/benchmarks.module';
import { Nb201TableService } from '../benchmarks/nb201-table.service';
import { InvalidInputError, violation } from '../common/errors';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DatasetsModule } from '../datasets/datasets.module';
import { DatasetsService } from '../datasets/datasets.service';
import { JobKindRegistry } from '../jobs/job-kind.registry';
import { poolRunnerFor } from '../search/pool/run-in-pool';
import { SearchPoolService } from '../search/pool/search-pool.service';
import { SearchModule } from '../search/search.module';
import { TrainerModule } from '../trainer/trainer.module';
import { TrainerService } from '../trainer/trainer.service';
import type { MethodDeps } from './method';
import { registerMethodKinds } from './registry';

/** The search methods (src/methods/registry.ts): registers every method's job kinds with the services they use. */
@Module({
  imports: [SearchModule, TrainerModule, DatasetsModule, BenchmarksModule],
})
export class MethodsModule implements OnModuleInit {
  constructor(
    private readonly registry: JobKindRegistry,
    private readonly pool: SearchPoolService,
    private readonly trainer: TrainerService,
    private readonly datasets: DatasetsService,
    private readonly nb201: Nb201TableService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const deps: MethodDeps = {
      runPool: poolRunnerFor(this.pool),
      trainer: this.trainer,
      storageDir: this.config.storageDir,
      dataDir: this.config.dataDir,
      resolveDataset: async (team: { id: string }, ref: string) => {
        const d = await this.datasets.resolveForJob(team, ref);
        if (d.kind !== 'uploaded') {
          throw new InvalidInputError(`spec.dataset "${ref}" is a builtin dataset, not an upload`, [violation('spec.dataset', 'isDataset', 'must be an uploaded dataset id')]);
        }
        return d;
      },
      archStrOfIndex: async (index) => (await this.nb201.get()).archStr(index),
    };
    await registerMethodKinds(deps, (def) => this.registry.register(def));
  }
}
