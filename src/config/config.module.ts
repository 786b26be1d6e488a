import { DynamicModule, Global, Module } from '@nestjs/common';
import type { AppRole } from '../app-role';
import { APP_CONFIG, AppConfig } from './config';

export const APP_ROLE = Symbol('APP_ROLE');

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig, role: AppRole): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_ROLE, useValue: role },
      ],
      exports: [APP_CONFIG, APP_ROLE],
    };
  }
}
