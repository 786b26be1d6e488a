import { Injectable } from '@nestjs/common';
import { InvalidInputError, violation } from '../common/errors';
import { JobKindDefinition } from './job-kind';

/** Every job kind the service knows; domain modules register theirs in onModuleInit. */
@Injectable()
export class JobKindRegistry {
  private readonly kinds = new Map<string, JobKindDefinition>();

  register<S extends object, R extends object, C>(def: JobKindDefinition<S, R, C>): void {
    if (this.kinds.has(def.kind)) throw new Error(`job kind ${def.kind} registered twice`);
    this.kinds.set(def.kind, def as unknown as JobKindDefinition);
  }

  get(kind: string): JobKindDefinition {
    const def = this.kinds.get(kind);
    if (!def) {
      throw new InvalidInputError(`unknown job kind "${kind}"; known kinds: ${this.names().join(', ')}`, [
        violation('kind', 'isIn', `must be one of: ${this.names().join(', ')}`),
      ]);
    }
    return def;
  }

  has(kind: string): boolean {
    return this.kinds.has(kind);
  }

  names(): string[] {
    return [...this.kinds.keys()].sort();
  }

  all(): JobKindDefinition[] {
    return this.names().map((n) => this.kinds.get(n) as JobKindDefinition);
  }
}
