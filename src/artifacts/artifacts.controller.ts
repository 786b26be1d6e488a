import { Controller, Delete, Get, HttpCode, Param, Query, Res, StreamableFile } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentTeam } from '../auth/auth.decorators';
import { Team } from '../auth/team.entity';
import { ArtifactsService } from './artifacts.service';
import { ArtifactIdParams } from './dto/artifact-id.params';
import { ArtifactDto, ArtifactListDto } from './dto/artifact.dto';
import { ListArtifactsQuery } from './dto/list-artifacts.query';

const PROBLEM = 'RFC 9457 problem document naming the field and the rule';

@ApiTags('artifacts')
@ApiBearerAuth()
@Controller({ path: 'artifacts', version: '1' })
export class ArtifactsController {
  constructor(private readonly artifacts: ArtifactsService) {}

  @Get()
  @ApiOperation({ summary: "The team's artifacts, newest first", description: 'Artifacts appear once the job that produced them has succeeded.' })
  @ApiOkResponse({ type: ArtifactListDto })
  @ApiBadRequestResponse({ description: `${PROBLEM}: bad limit, cursor, kind or jobId.` })
  async list(@CurrentTeam() team: Team, @Query() q: ListArtifactsQuery): Promise<ArtifactListDto> {
    const page = await this.artifacts.list(team, q);
    return { items: page.items.map((a) => ArtifactDto.from(a)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: "An artifact's metadata" })
  @ApiOkResponse({ type: ArtifactDto })
  @ApiBadRequestResponse({ description: `${PROBLEM}: id is not a UUID.` })
  @ApiNotFoundResponse({ description: "No such artifact (or another team's)." })
  async get(@CurrentTeam() team: Team, @Param() p: ArtifactIdParams): Promise<ArtifactDto> {
    return ArtifactDto.from(await this.artifacts.get(team, p.id));
  }

  @Get(':id/content')
  @ApiOperation({ summary: "Download an artifact's content", description: 'The bytes as stored; X-Content-SHA256 (hex) and Repr-Digest (RFC 9530) carry their SHA-256.' })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({
    description: 'The content, with its media type.',
    schema: { type: 'string', format: 'binary' },
    headers: {
      'X-Content-SHA256': { description: 'SHA-256 of the content, hex.', schema: { type: 'string' } },
      'Repr-Digest': { description: 'sha-256 of the content (RFC 9530 structured field, base64).', schema: { type: 'string' } },
      ETag: { description: 'The SHA-256 (hex), quoted.', schema: { type: 'string' } },
    },
  })
  @ApiBadRequestResponse({ description: `${PROBLEM}: id is not a UUID.` })
  @ApiNotFoundResponse({ description: "No such artifact (or another team's)." })
  async content(@CurrentTeam() team: Team, @Param() p: ArtifactIdParams, @Res({ passthrough: true }) res: Response): Promise<StreamableFile> {
    const { artifact, stream } = await this.artifacts.open(team, p.id);
    res.setHeader('X-Content-SHA256', artifact.sha256);
    res.setHeader('Repr-Digest', `sha-256=:${Buffer.from(artifact.sha256, 'hex').toString('base64')}:`);
    res.setHeader('ETag', `"${artifact.sha256}"`);
    return new StreamableFile(stream, {
      type: artifact.mediaType,
      length: Number(artifact.sizeBytes),
      disposition: `attachment; filename="${artifact.id}"`,
    });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an artifact' })
  @ApiNoContentResponse({ description: 'Deleted: the row first, then the file.' })
  @ApiBadRequestResponse({ description: `${PROBLEM}: id is not a UUID.` })
  @ApiNotFoundResponse({ description: "No such artifact (or another team's)." })
  @ApiConflictResponse({ description: 'A queued or running job uses the artifact.' })
  async remove(@CurrentTeam() team: Team, @Param() p: ArtifactIdParams): Promise<void> {
    await this.artifacts.remove(team, p.id);
  }
}
