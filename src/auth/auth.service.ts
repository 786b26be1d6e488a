import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { createHash, randomBytes } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { ConflictError, InvalidInputError, NotFoundError, violation } from '../common/errors';
import { isUuid } from '../common/uuid';
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

/**
 * Verified keys are remembered this long, so a request costs no database round trip; a revocation takes effect at
 * once in the process that revoked the key and within this time in every other API process.
 */
export const KEY_CACHE_TTL_MS = 10_000;

/** The team of a verified key, and which of its keys it was. */
export interface KeyOwner {
  team: Team;
  keyId: string;
}

@Injectable()
export class AuthService {
  private readonly verified = new LRUCache<string, KeyOwner>({ max: 10_000, ttl: KEY_CACHE_TTL_MS });
  /** Database look-ups in progress, by key hash. */
  private readonly lookups = new Map<string, Promise<KeyOwner | null>>();

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
    return (await this.verifyKey(key))?.team ?? null;
  }

  /** The owner of a key verified within KEY_CACHE_TTL_MS (no database round trip), or undefined. */
  cached(key: string): KeyOwner | undefined {
    return this.verified.get(hashKey(key));
  }

  /** Team and key id of an active key, or null. */
  async verifyKey(key: string): Promise<KeyOwner | null> {
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

  private async lookUp(hash: string): Promise<KeyOwner | null> {
    const row = await this.keys.findOne({ where: { keyHash: hash, revokedAt: IsNull() }, relations: { team: true } });
    if (!row?.team) return null;
    const owner = { team: row.team, keyId: row.id };
    this.verified.set(hash, owner);
    return owner;
  }

  /** The team's active keys, oldest first (prefix and dates only: the secret is never stored). */
  listKeys(team: Pick<Team, 'id'>): Promise<ApiKey[]> {
    return this.keys.find({ where: { teamId: team.id, revokedAt: IsNull() }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * Revokes one of the team's own keys. Another team's key is "not found"; the team's last active key cannot be
   * revoked (409). The team row is locked so that two concurrent revocations cannot remove the last two keys.
   */
  async revokeKey(team: Pick<Team, 'id'>, id: string): Promise<void> {
    if (!isUuid(id)) throw new InvalidInputError(`key id "${id}" is not a UUID`, [violation('id', 'isUuid', 'must be a UUID')]);
    const hash = await this.keys.manager.transaction(async (m) => {
      await m.query(`SELECT id FROM teams WHERE id = $1 FOR UPDATE`, [team.id]);
      const rows: Array<{ id: string; key_hash: string }> = await m.query(`SELECT id, key_hash FROM api_keys WHERE team_id = $1 AND revoked_at IS NULL`, [team.id]);
      const row = rows.find((r) => r.id === id);
      if (!row) throw new NotFoundError(`API key ${id} not found`);
      if (rows.length === 1) {
        throw new ConflictError(`API key ${id} is the team's last active key; create another key first`, [
          violation('id', 'notLastKey', 'a team must keep at least one active key'),
        ]);
      }
      await m.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [id]);
      return row.key_hash;
    });
    this.verified.delete(hash); // at once in this process; other processes within KEY_CACHE_TTL_MS
  }
}
