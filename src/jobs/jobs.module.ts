import { Global, Module } from '@nestjs/common';
import { JobKindRegistry } from './job-kind.registry';

@Global()
@Module({
  providers: [JobKindRegistry],
  exports: [JobKindRegistry],
})
export class JobsModule {}
