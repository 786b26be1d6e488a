import { Module } from '@nestjs/common';
import { TrainerService } from './trainer.service';

/** Trainer child processes (TrainerService) that the methods' training rings run in (src/methods/registry.ts). */
@Module({
  providers: [TrainerService],
  exports: [TrainerService],
})
export class TrainerModule {}
