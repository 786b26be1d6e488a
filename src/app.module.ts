import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { ArtifactsModule } from './artifacts/artifacts.module';
import type { AppRole } from './app-role';
import { AuthModule } from './auth/auth.module';
import { BenchmarksModule } from './benchmarks/benchmarks.module';
import { loggerParams } from './common/logging';
import { APP_CONFIG, AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { dataSourceOptions } from './database/data-source';
import { DatasetsModule } from './datasets/datasets.module';
import { HealthModule } from './health/health.module';
import { JobsModule } from './jobs/jobs.module';
import { MethodsModule } from './methods/methods.module';
import { SearchModule } from './search/search.module';
import { TrainerModule } from './trainer/trainer.module';

export type { AppRole } from './app-role';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, databaseUrl: string, role: AppRole): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, role),
        LoggerModule.forRoot(loggerParams(config.logLevel)),
        TypeOrmModule.forRoot(dataSourceOptions(databaseUrl)),
        AuthModule,
        HealthModule,
        SearchModule,
        TrainerModule,
        MethodsModule,
        JobsModule,
        DatasetsModule,
        ArtifactsModule,
        BenchmarksModule,
      ],
    };
  }
}

export { APP_CONFIG };
