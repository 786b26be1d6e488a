import { Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import type { Response } from 'express';
import { ApiKey } from './api-key.entity';
import { CurrentKeyId, CurrentTeam } from './auth.decorators';
import { AuthService, KEY_CACHE_TTL_MS } from './auth.service';
import { Team } from './team.entity';

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'First characters of the key, to tell keys apart.' }) prefix!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ description: 'True for the key this request was made with.' }) current!: boolean;

  static from(k: ApiKey, currentKeyId: string): ApiKeyDto {
    return { id: k.id, prefix: k.prefix, createdAt: k.createdAt.toISOString(), current: k.id === currentKeyId };
  }
}

export class ApiKeyListDto {
  @ApiProperty({ type: [ApiKeyDto] }) items!: ApiKeyDto[];
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ description: 'The new key. Shown only in this response: only its SHA-256 is stored.' }) key!: string;
}

export class ApiKeyIdParams {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'id must be a UUID' })
  id!: string;
}

const REVOCATION = `Takes effect at once on the API process that answered and within ${KEY_CACHE_TTL_MS / 1000} s (the key cache) on every other.`;

/** The caller's own team's API keys: list, create (rotate), revoke. */
@ApiTags('auth')
@ApiBearerAuth()
@Controller({ path: 'keys', version: '1' })
export class KeysController {
  constructor(private readonly auth: AuthService) {}

  @Get()
  @ApiOperation({ summary: "The team's active API keys (never the secrets)" })
  @ApiOkResponse({ type: ApiKeyListDto })
  async list(@CurrentTeam() team: Team, @CurrentKeyId() keyId: string): Promise<ApiKeyListDto> {
    return { items: (await this.auth.listKeys(team)).map((k) => ApiKeyDto.from(k, keyId)) };
  }

  @Post()
  @ApiOperation({ summary: 'Create another API key for the team (to rotate: create, switch clients, then revoke the old one)' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto, description: 'The new key is in `key`, shown only once; Location is its URL.' })
  async create(@CurrentTeam() team: Team, @CurrentKeyId() keyId: string, @Res({ passthrough: true }) res: Response): Promise<CreatedApiKeyDto> {
    const issued = await this.auth.issueKey(team);
    const row = (await this.auth.listKeys(team)).find((k) => k.id === issued.keyId);
    if (!row) throw new Error(`key ${issued.keyId} vanished right after it was created`);
    res.location(`/v1/keys/${row.id}`);
    return { ...ApiKeyDto.from(row, keyId), key: issued.key };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke one of the team\'s API keys', description: REVOCATION })
  @ApiNoContentResponse({ description: `Revoked. ${REVOCATION}` })
  @ApiBadRequestResponse({ description: 'Problem document: id is not a UUID.' })
  @ApiNotFoundResponse({ description: "No such active key (or another team's)." })
  @ApiConflictResponse({ description: "It is the team's last active key." })
  async remove(@CurrentTeam() team: Team, @Param() p: ApiKeyIdParams): Promise<void> {
    await this.auth.revokeKey(team, p.id);
  }
}
