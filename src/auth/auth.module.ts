import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKey } from './api-key.entity';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { KeysController } from './keys.controller';
import { Team } from './team.entity';

@Module({
  imports: [TypeOrmModule.forFeature([Team, ApiKey])],
  providers: [AuthService, ThrottlerStorageService, { provide: APP_GUARD, useClass: ApiKeyGuard }],
  controllers: [AuthController, KeysController],
  exports: [AuthService],
})
export class AuthModule {}
