import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { BenchmarksService } from './benchmarks.service';
import { Nb201ArchQuery, Nb201ArchRecordDto } from './dto/arch.dto';
import { BenchmarksCatalogDto } from './dto/catalog.dto';
import { Nb201CorrelationRequestDto, Nb201CorrelationResponseDto } from './dto/correlation.dto';
import { Nb201ParetoQuery, Nb201ParetoResponseDto } from './dto/pareto.dto';
import { Nb201QueryRequestDto, Nb201QueryResponseDto } from './dto/query.dto';

const UNAVAILABLE = { status: 503, description: 'Benchmark data not present in the configured directory (problem names it).' };
const BAD = { status: 400, description: 'Invalid input; `errors` names the field and rule.' };

@ApiTags('benchmarks')
@ApiBearerAuth()
@Controller({ path: 'benchmarks', version: '1' })
export class BenchmarksController {
  constructor(private readonly service: BenchmarksService) {}

  @Get()
  @ApiOperation({ summary: 'Loaded benchmarks with their datasets, metrics and latency devices, and whether the data is present.' })
  @ApiOkResponse({ type: BenchmarksCatalogDto })
  catalog(): BenchmarksCatalogDto {
    return this.service.catalog();
  }

  @Get('nb201/archs/:key')
  @ApiOperation({ summary: 'Full NB201 record of one architecture: accuracies, per-seed valid accuracies, FLOPs, params, latencies, iso class.' })
  @ApiParam({ name: 'key', description: 'Index 0..15624, six-digit op code, or URL-encoded arch string.' })
  @ApiOkResponse({ type: Nb201ArchRecordDto })
  @ApiResponse(BAD)
  @ApiResponse({ status: 404, description: 'Index out of range.' })
  @ApiResponse(UNAVAILABLE)
  arch(@Param('key') key: string, @Query() q: Nb201ArchQuery): Promise<Nb201ArchRecordDto> {
    return this.service.arch(key, q);
  }

  @Post('nb201/query')
  @HttpCode(200)
  @ApiOperation({ summary: 'Batch look-up (up to 20,000 keys, or all archs) with FLOPs/params/latency/accuracy filters and sorting.' })
  @ApiOkResponse({ type: Nb201QueryResponseDto })
  @ApiResponse(BAD)
  @ApiResponse(UNAVAILABLE)
  query(@Body() body: Nb201QueryRequestDto): Promise<Nb201QueryResponseDto> {
    return this.service.query(body);
  }

  @Get('nb201/pareto')
  @ApiOperation({ summary: 'Exact Pareto front of accuracy (max) against FLOPs, params or a device latency (min).' })
  @ApiOkResponse({ type: Nb201ParetoResponseDto })
  @ApiResponse(BAD)
  @ApiResponse(UNAVAILABLE)
  pareto(@Query() q: Nb201ParetoQuery): Promise<Nb201ParetoResponseDto> {
    return this.service.pareto(q);
  }

  @Post('nb201/correlation')
  @HttpCode(200)
  @ApiOperation({ summary: "Kendall tau-b, Spearman rho, Pearson r and top-k precision of a method's scores against NB201 ground truth." })
  @ApiOkResponse({ type: Nb201CorrelationResponseDto })
  @ApiResponse(BAD)
  @ApiResponse(UNAVAILABLE)
  correlation(@Body() body: Nb201CorrelationRequestDto): Promise<Nb201CorrelationResponseDto> {
    return this.service.correlation(body);
  }
}
