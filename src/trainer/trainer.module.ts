import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { InvalidInputError, violation } from '../common/errors';
import { APP_CONFIG, AppConfig } from '../config/config';
import { DatasetsModule } from '../datasets/datasets.module';
import { DatasetsService } from '../datasets/datasets.service';
import { JobKindRegistry } from '../jobs/job-kind.registry';
import { createDatasetBaselineKind } from './dataset-baseline.kind';
import { TrainerService } from './trainer.service';

/** Trainer child processes (TrainerService) and the job kinds that train: `dataset-baseline`. */
@Module({
  imports: [DatasetsModule],
  providers: [TrainerService],
  exports: [TrainerService],
})
export class TrainerModule implements OnModuleInit {
  constructor(
    private readonly registry: JobKindRegistry,
    private readonly trainer: TrainerService,
    private readonly datasets: DatasetsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.registry.register(
      createDatasetBaselineKind({
        trainer: this.trainer,
        storageDir: this.config.storageDir,
        dataDir: this.config.dataDir,
        resolveDataset: async (team, ref) => {
          const d = await this.datasets.resolveForJob(team, ref);
          if (d.kind !== 'uploaded') {
            throw new InvalidInputError(`spec.dataset "${ref}" is a builtin dataset, not an upload`, [violation('spec.dataset', 'isDataset', 'must be an uploaded dataset id')]);
          }
          return d;
        },
      }),
    );
  }
}
