import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ArtifactsModule } from '../artifacts/artifacts.module';
import { JobEvent } from './job-event.entity';
import { JobKindRegistry } from './job-kind.registry';
import { JobRunnerService } from './job-runner.service';
import { Job } from './job.entity';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';
import { QueueService } from './queue.service';

/** Jobs: REST API, durable queue, and the in-process runner (when this process is a worker). */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([Job, JobEvent]), ArtifactsModule],
  providers: [JobKindRegistry, JobsService, QueueService, JobRunnerService],
  controllers: [JobsController],
  exports: [JobKindRegistry, JobsService],
})
export class JobsModule {}
