import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Res, UploadedFiles, UseInterceptors } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentTeam } from '../auth/auth.decorators';
import { Team } from '../auth/team.entity';
import { DATASET_FORMATS } from './dataset.entity';
import { DatasetsService } from './datasets.service';
import { CreateDatasetBody } from './dto/create-dataset.dto';
import { DatasetIdParams } from './dto/dataset-id.params';
import { DatasetDto, DatasetListDto } from './dto/dataset.dto';
import { ListDatasetsQuery } from './dto/list-datasets.query';
import { DatasetUploadInterceptor } from './upload/dataset-upload.interceptor';
import { ALL_UPLOAD_FILE_FIELDS } from './upload/upload-fields';

const PROBLEM = 'RFC 9457 problem document naming the field and the rule';

function fileSchema(maxCount: number, description: string): Record<string, unknown> {
  const binary = { type: 'string', format: 'binary' };
  return maxCount > 1 ? { type: 'array', items: binary, maxItems: maxCount, description } : { ...binary, description };
}

@ApiTags('datasets')
@ApiBearerAuth()
@Controller({ path: 'datasets', version: '1' })
export class DatasetsController {
  constructor(private readonly datasets: DatasetsService) {}

  @Post()
  @UseInterceptors(DatasetUploadInterceptor)
  @ApiOperation({
    summary: 'Upload an image-classification dataset',
    description:
      'multipart/form-data with `name`, `format` and the files of that format, each optionally gzipped. ' +
      '`cifar10-binary`: `train` (one or more parts, concatenated in order) and `test`. ' +
      '`mnist-idx`: `trainImages`, `trainLabels`, `testImages`, `testLabels`. ' +
      'Files are streamed to disk and fully validated while decompressing, before anything is stored; they are stored decompressed. ' +
      'A file may be at most as long as its format allows (MAX_UPLOAD_IMAGES images; an IDX file exactly as long as its header declares).',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['name', 'format'],
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 100 },
        format: { type: 'string', enum: [...DATASET_FORMATS] },
        ...Object.fromEntries(ALL_UPLOAD_FILE_FIELDS.map((f) => [f.field, fileSchema(f.maxCount, f.description)])),
      },
    },
  })
  @ApiCreatedResponse({ type: DatasetDto, description: 'Stored; the Location header is the URL of the dataset.' })
  @ApiBadRequestResponse({ description: `${PROBLEM}: bad text field, unknown/missing file field, not multipart.` })
  @ApiPayloadTooLargeResponse({ description: `${PROBLEM}: a file, all files, or their decompressed size over the limit.` })
  @ApiUnprocessableEntityResponse({ description: `${PROBLEM}: file content is not a valid dataset (names the file and the problem).` })
  @ApiTooManyRequestsResponse({ description: `${PROBLEM}: too many uploads at once (MAX_CONCURRENT_UPLOADS, MAX_CONCURRENT_UPLOADS_PER_TEAM); see Retry-After.` })
  async create(
    @CurrentTeam() team: Team,
    @Body() body: CreateDatasetBody,
    @UploadedFiles() files: Record<string, Express.Multer.File[]> | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<DatasetDto> {
    const d = await this.datasets.create(team, body, files);
    res.location(`/v1/datasets/${d.id}`);
    return DatasetDto.from(d);
  }

  @Get()
  @ApiOperation({ summary: "The team's datasets, newest first" })
  @ApiOkResponse({ type: DatasetListDto })
  async list(@CurrentTeam() team: Team, @Query() q: ListDatasetsQuery): Promise<DatasetListDto> {
    const page = await this.datasets.list(team, q);
    return { items: page.items.map((d) => DatasetDto.from(d)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A dataset: format, shape, classes, size and checksum' })
  @ApiOkResponse({ type: DatasetDto })
  @ApiBadRequestResponse({ description: `${PROBLEM}: id is not a UUID.` })
  @ApiNotFoundResponse({ description: "No such dataset (or another team's)." })
  async get(@CurrentTeam() team: Team, @Param() p: DatasetIdParams): Promise<DatasetDto> {
    return DatasetDto.from(await this.datasets.get(team, p.id));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a dataset (409 while a queued or running job uses it)' })
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted: the row first, then the files.' })
  @ApiBadRequestResponse({ description: `${PROBLEM}: id is not a UUID.` })
  @ApiNotFoundResponse({ description: "No such dataset (or another team's)." })
  @ApiConflictResponse({ description: 'A queued or running job uses the dataset.' })
  async remove(@CurrentTeam() team: Team, @Param() p: DatasetIdParams): Promise<void> {
    await this.datasets.remove(team, p.id);
  }
}
