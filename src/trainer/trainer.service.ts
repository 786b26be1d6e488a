import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { TrainerRunOptions, TrainerSupervisor } from './supervisor';

/**
 * Runs trainer tasks in child processes (see TrainerSupervisor): a thin Nest wrapper so job kinds can
 * inject it. At most config.trainerConcurrency children run at once (TRAINER_CONCURRENCY).
 */
@Injectable()
export class TrainerService implements OnApplicationShutdown {
  readonly supervisor: TrainerSupervisor;

  /** One child at a time, no restarts: short submission-time tasks (TrainerKindDeps.trainer.probe). */
  readonly probes = new TrainerSupervisor({ maxConcurrent: 1, maxRestarts: 0 });

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.supervisor = new TrainerSupervisor({ maxConcurrent: Math.max(1, config.trainerConcurrency) });
  }

  run<I, O>(task: string, input: I, opts: TrainerRunOptions): Promise<O> {
    return this.supervisor.run<I, O>(task, input, opts);
  }

  probe<I, O>(task: string, input: I, opts: TrainerRunOptions): Promise<O> {
    return this.probes.run<I, O>(task, input, opts);
  }

  /** Lets cancelled children exit on their own (the job runner aborts running jobs at shutdown), then kills the rest. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.supervisor.close(this.supervisor.cancelGraceMs + 1000), this.probes.close(this.probes.cancelGraceMs + 1000)]);
  }
}
