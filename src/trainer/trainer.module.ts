import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { BenchmarksModule } from '../benchmarks/benchmarks.module';
import { Nb201TableService } from '../benchmarks/nb201-table.service';
import { InvalidInputError, violation } from '../common/errors';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DatasetsModule } from '../datasets/datasets.module';
import { DatasetsService } from '../datasets/datasets.service';
import { JobKindRegistry } from '../jobs/job-kind.registry';
import { createDatasetBaselineKind } from '../methods/dataset-baseline/job/dataset-baseline.kind';
import { createSeNasNb201Kind, createSposNb201Kind } from '../methods/se-nas/job/nb201-one-shot.kind';
import { createNb201TrainKind } from '../methods/nb201-train/job/nb201-train.kind';
import { TrainerService } from './trainer.service';

/** Trainer child processes (TrainerService) and the job kinds that train: `dataset-baseline`, `nb201-train`, `spos-nb201`, `se-nas-nb201`. */
@Module({
  imports: [DatasetsModule, BenchmarksModule],
  providers: [TrainerService],
  exports: [TrainerService],
})
export class TrainerModule implements OnModuleInit {
  constructor(
    private readonly registry: JobKindRegistry,
    private readonly trainer: TrainerService,
    private readonly datasets: DatasetsService,
    private readonly nb201: Nb201TableService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const deps = {
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
    };
    this.registry.register(createDatasetBaselineKind(deps));
    this.registry.register(createSposNb201Kind(deps));
    this.registry.register(createSeNasNb201Kind(deps));
    this.registry.register(
      createNb201TrainKind({
        trainer: this.trainer,
        storageDir: this.config.storageDir,
        dataDir: this.config.dataDir,
        archStrOfIndex: async (index) => (await this.nb201.get()).archStr(index),
      }),
    );
  }
}
