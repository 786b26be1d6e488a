import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { CurrentTeam } from './auth.decorators';
import { Team } from './team.entity';

export class TeamDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
}

@ApiTags('auth')
@ApiBearerAuth()
@Controller({ path: 'me', version: '1' })
export class AuthController {
  @Get()
  @ApiOperation({ summary: 'The team that owns the API key' })
  @ApiOkResponse({ type: TeamDto, description: 'The team that owns the API key.' })
  me(@CurrentTeam() team: Team): TeamDto {
    return { id: team.id, name: team.name };
  }
}
