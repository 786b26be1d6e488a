import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { createHash, randomBytes } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { ConflictError, InvalidInputError, violation } from '../common/errors';
import { ApiKey } from './api-key.entity';
import { Team } from './team.entity';

export interface IssuedKey {
  team: Team;
  key: string;
  keyId: string;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Verified keys are remembered this long, so a request costs no database round trip; revocation takes effect within it. */
export const KEY_CACHE_TTL_MS = 10_000;

@Injectable()
export class AuthService {
  private readonly verified = new LRUCache<string, Team>({ max: 10_000, ttl: KEY_CACHE_TTL_MS });
  /** Database look-ups in progress, by key hash. */
  private readonly lookups = new Map<string, Promise<Team | null>>();

  constructor(
    @InjectRepository(Team) private readonly teams: Repository<Team>,
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
  ) {}

  /** Creates a team and its first API key; the plain key is returned once and never stored. */
  async createTeam(name: string): Promise<IssuedKey> {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(name)) {
      throw new InvalidInputError('team name must be 1-63 letters, digits, "_", "." or "-"', [
        violation('name', 'pattern', 'letters, digits, "_", "." or "-", starting with a letter or digit'),
      ]);
    }
    if (await this.teams.existsBy({ name })) throw new ConflictError(`team "${name}" already exists`);
    const team = await this.teams.save(this.teams.create({ name }));
    return this.issueKey(team);
  }

  async issueKey(team: Team): Promise<IssuedKey> {
    const key = `nas_${randomBytes(24).toString('base64url')}`;
    const row = await this.keys.save(this.keys.create({ teamId: team.id, prefix: key.slice(0, 10), keyHash: hashKey(key), revokedAt: null }));
    return { team, key, keyId: row.id };
  }

  /** The team owning an active key, or null. */
  async verify(key: string): Promise<Team | null> {
    const hash = hashKey(key);
    const cached = this.verified.get(hash);
    if (cached) return cached;
    // one database look-up per key at a time: when a busy key's cache entry expires, the requests that arrive
    // during the look-up wait for it instead of each sending their own (which queued on the connection pool)
    let lookup = this.lookups.get(hash);
    if (!lookup) {
      lookup = this.lookUp(hash).finally(() => this.lookups.delete(hash));
      this.lookups.set(hash, lookup);
    }
    return lookup;
  }

  private async lookUp(hash: string): Promise<Team | null> {
    const row = await this.keys.findOne({ where: { keyHash: hash, revokedAt: IsNull() }, relations: { team: true } });
    if (row?.team) this.verified.set(hash, row.team);
    return row?.team ?? null;
  }
}
