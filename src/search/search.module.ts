import { Inject, Module, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { JobKindRegistry } from '../jobs/job-kind.registry';
import { createNb201SearchKind } from '../methods/nb201-search/job/nb201-search.kind';
import { poolRunnerFor } from './pool/run-in-pool';
import { SearchPoolService } from './pool/search-pool.service';

/** CPU-side search: the Piscina pool and the job kinds whose steps run in it. */
@Module({
  providers: [SearchPoolService],
  exports: [SearchPoolService],
})
export class SearchModule implements OnModuleInit {
  constructor(
    private readonly registry: JobKindRegistry,
    private readonly pool: SearchPoolService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.registry.register(createNb201SearchKind({ runPool: poolRunnerFor(this.pool), dataDir: this.config.dataDir }));
  }
}
