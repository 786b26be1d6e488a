import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import { Team } from './team.entity';

export const IS_PUBLIC = 'nas:isPublic';
/** Route needs no API key (health, metrics, docs). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

export interface AuthedRequest extends Request {
  team?: Team;
  /** Id of the API key this request authenticated with. */
  apiKeyId?: string;
}

/** Id of the API key of this request. */
export const CurrentKeyId = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  const id = ctx.switchToHttp().getRequest<AuthedRequest>().apiKeyId;
  if (!id) throw new Error('CurrentKeyId used on a public route');
  return id;
});

/** The team that owns the API key of this request. */
export const CurrentTeam = createParamDecorator((_: unknown, ctx: ExecutionContext): Team => {
  const team = ctx.switchToHttp().getRequest<AuthedRequest>().team;
  if (!team) throw new Error('CurrentTeam used on a public route');
  return team;
});
