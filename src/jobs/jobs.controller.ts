import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentTeam } from '../auth/auth.decorators';
import { Team } from '../auth/team.entity';
import { CreateJobDto } from './dto/create-job.dto';
import { JobDto, JobKindDto, JobPageDto, JobResultDto } from './dto/job.dto';
import { ListJobsQuery } from './dto/list-jobs.query';
import { JobKindRegistry } from './job-kind.registry';
import { toJobDto } from './job-mapper';
import { JobsService } from './jobs.service';
import { parseLastEventId, streamJobEvents } from './job-events.stream';

@ApiTags('jobs')
@ApiBearerAuth()
@Controller({ path: 'jobs', version: '1' })
export class JobsController {
  constructor(private readonly jobs: JobsService, private readonly kinds: JobKindRegistry) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Submit a job', description: 'Validates the kind and its spec, stores the job and queues it. Answers 202 with a Location header.' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Repeating a request with the same key returns the job created by the first one.' })
  @ApiAcceptedResponse({ type: JobDto })
  @ApiOkResponse({ type: JobDto, description: 'Replay of an earlier request with the same Idempotency-Key.' })
  @ApiBadRequestResponse({ description: 'Problem document naming the invalid field and rule.' })
  @ApiUnprocessableEntityResponse({ description: 'Idempotency-Key reused with a different body.' })
  async create(
    @CurrentTeam() team: Team,
    @Body() dto: CreateJobDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<JobDto> {
    const { job, created } = await this.jobs.create(team, dto, idempotencyKey);
    res.status(created ? 202 : 200).location(`/v1/jobs/${job.id}`);
    if (!created) res.setHeader('Idempotent-Replayed', 'true');
    return toJobDto(job);
  }

  @Get()
  @ApiOperation({ summary: "List the team's jobs, newest first" })
  @ApiOkResponse({ type: JobPageDto })
  async list(@CurrentTeam() team: Team, @Query() q: ListJobsQuery): Promise<JobPageDto> {
    const page = await this.jobs.list(team, q);
    return { items: page.items.map(toJobDto), nextCursor: page.nextCursor };
  }

  @Get('kinds')
  @ApiOperation({ summary: 'Job kinds this service runs' })
  @ApiOkResponse({ type: [JobKindDto] })
  listKinds(): JobKindDto[] {
    return this.kinds.all().map((k) => ({ kind: k.kind, summary: k.summary, specSchema: k.specClass.name, resultSchema: k.resultClass?.name ?? null }));
  }

  @Get(':id')
  @ApiOperation({ summary: 'A job: its status, progress, attempts and error' })
  @ApiOkResponse({ type: JobDto })
  @ApiNotFoundResponse({ description: 'No such job for this team.' })
  async get(@CurrentTeam() team: Team, @Param('id') id: string): Promise<JobDto> {
    return toJobDto(await this.jobs.get(team, id));
  }

  @Get(':id/result')
  @ApiOperation({ summary: 'Result of a succeeded job, with its evidence' })
  @ApiOkResponse({ type: JobResultDto })
  @ApiConflictResponse({ description: 'The job has not succeeded (yet).' })
  async result(@CurrentTeam() team: Team, @Param('id') id: string): Promise<JobResultDto> {
    const job = await this.jobs.result(team, id);
    return { jobId: job.id, kind: job.kind, result: job.result ?? {} };
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel a job', description: 'A queued job is cancelled at once; a running one stops within seconds. Cancelling a finished job changes nothing.' })
  @ApiAcceptedResponse({ type: JobDto })
  async cancel(@CurrentTeam() team: Team, @Param('id') id: string): Promise<JobDto> {
    return toJobDto(await this.jobs.cancel(team, id));
  }

  @Get(':id/events')
  @ApiOperation({
    summary: 'Job events as Server-Sent Events',
    description:
      'Replays the job event log (created, started, progress, checkpoint, retry, cancel_requested, succeeded, failed, cancelled) ' +
      'and follows it until the job ends. Each SSE message has `id` (resume with Last-Event-ID), `event` (the type) and JSON `data`.',
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event id: a decimal integer from 0 to 2^63-1; anything else is a 400.' })
  @ApiBadRequestResponse({ description: 'Problem document: Last-Event-ID is not an event id (field Last-Event-ID), or the job id is not a UUID.' })
  @ApiOkResponse({ description: 'text/event-stream', schema: { type: 'string' } })
  async events(@CurrentTeam() team: Team, @Param('id') id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const job = await this.jobs.get(team, id);
    const lastId = parseLastEventId(req.header('last-event-id'));
    await streamJobEvents(this.jobs, job.id, lastId, req, res);
  }
}
