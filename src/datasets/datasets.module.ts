import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Job } from '../jobs/job.entity';
import { Dataset } from './dataset.entity';
import { DatasetsController } from './datasets.controller';
import { DatasetsService } from './datasets.service';
import { DatasetUploadInterceptor } from './upload/dataset-upload.interceptor';

/** Uploaded image-classification datasets: upload/validation, storage on disk, metadata in PostgreSQL. */
@Module({
  imports: [TypeOrmModule.forFeature([Dataset, Job])],
  providers: [DatasetsService, DatasetUploadInterceptor],
  controllers: [DatasetsController],
  exports: [DatasetsService],
})
export class DatasetsModule {}
