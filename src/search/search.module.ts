import { Module } from '@nestjs/common';
import { SearchPoolService } from './pool/search-pool.service';

/** CPU-side search: the Piscina pool the methods' runner rings run in (src/methods/registry.ts). */
@Module({
  providers: [SearchPoolService],
  exports: [SearchPoolService],
})
export class SearchModule {}
