import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Artifact, JobArtifactInput } from './artifact.entity';
import { ArtifactsController } from './artifacts.controller';
import { ArtifactsService } from './artifacts.service';

/** Artefacts produced by jobs: storage on disk, metadata in PostgreSQL, REST API; used by the job runner. */
@Module({
  imports: [TypeOrmModule.forFeature([Artifact, JobArtifactInput])],
  providers: [ArtifactsService],
  controllers: [ArtifactsController],
  exports: [ArtifactsService],
})
export class ArtifactsModule {}
