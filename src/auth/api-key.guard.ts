import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { LRUCache } from 'lru-cache';
import { TooManyRequestsError, UnauthorizedError } from '../common/errors';
import { APP_CONFIG, AppConfig } from '../config/config';
import { AuthedRequest, IS_PUBLIC } from './auth.decorators';
import { AuthService } from './auth.service';

const THROTTLER = 'auth-failures';

/**
 * Every route needs `Authorization: Bearer <key>` unless marked @Public(). Invalid keys cost a database query
 * each (they are not cached), so failed authentications are counted per client address (@nestjs/throttler's
 * storage, a sliding window): beyond AUTH_FAILURE_LIMIT within AUTH_FAILURE_WINDOW_SECONDS the address gets
 * 429 with Retry-After for AUTH_FAILURE_BLOCK_SECONDS, without a database query, unless its key is in the cache
 * of verified keys.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  /** client address -> epoch ms until which it is blocked */
  private readonly blocked: LRUCache<string, number>;

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly failures: ThrottlerStorageService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.blocked = new LRUCache<string, number>({ max: 100_000, ttl: Math.max(1, config.authFailureBlockSeconds) * 1000 });
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [ctx.getHandler(), ctx.getClass()])) return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new UnauthorizedError('missing API key: send "Authorization: Bearer <key>"');
    const owner = this.auth.cached(match[1]) ?? (await this.lookUp(clientAddress(req), match[1]));
    req.team = owner.team;
    req.apiKeyId = owner.keyId;
    return true;
  }

  private async lookUp(address: string, key: string): Promise<NonNullable<ReturnType<AuthService['cached']>>> {
    const until = this.blocked.get(address);
    if (until !== undefined && until > Date.now()) throw this.tooMany(Math.ceil((until - Date.now()) / 1000));
    const owner = await this.auth.verifyKey(key);
    if (owner) return owner;
    const { authFailureLimit, authFailureWindowSeconds, authFailureBlockSeconds } = this.config;
    const r = await this.failures.increment(`${THROTTLER}:${address}`, authFailureWindowSeconds * 1000, authFailureLimit, authFailureBlockSeconds * 1000, THROTTLER);
    if (r.isBlocked) {
      this.blocked.set(address, Date.now() + r.timeToBlockExpire * 1000);
      throw this.tooMany(r.timeToBlockExpire);
    }
    throw new UnauthorizedError('API key is not valid or has been revoked');
  }

  private tooMany(seconds: number): TooManyRequestsError {
    const s = Math.max(1, seconds);
    return new TooManyRequestsError(
      `too many failed authentications from this address (more than ${this.config.authFailureLimit} within ${this.config.authFailureWindowSeconds} s); retry after ${s} s`,
      [],
      s,
    );
  }
}

/** The client's address as the socket sees it (behind a proxy, set Express's `trust proxy` to use X-Forwarded-For). */
function clientAddress(req: AuthedRequest): string {
  return req.ip ?? req.socket?.remoteAddress ?? 'unknown';
}
