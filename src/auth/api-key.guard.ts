import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { UnauthorizedError } from '../common/errors';
import { AuthedRequest, IS_PUBLIC } from './auth.decorators';
import { AuthService } from './auth.service';

/** Every route needs `Authorization: Bearer <key>` unless marked @Public(). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector, private readonly auth: AuthService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [ctx.getHandler(), ctx.getClass()])) return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw new UnauthorizedError('missing API key: send "Authorization: Bearer <key>"');
    const team = await this.auth.verify(match[1]);
    if (!team) throw new UnauthorizedError('API key is not valid or has been revoked');
    req.team = team;
    return true;
  }
}
