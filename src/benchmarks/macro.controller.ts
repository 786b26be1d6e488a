import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  MacroArchRecordDto,
  MacroCorrelationRequestDto,
  MacroCorrelationResponseDto,
  MacroParetoQuery,
  MacroParetoResponseDto,
  MacroQueryRequestDto,
  MacroQueryResponseDto,
} from './dto/macro.dto';
import { MacroBenchmarkService } from './macro.service';

const UNAVAILABLE = { status: 503, description: 'Benchmark data not present in the configured directory (problem names it).' };
const BAD = { status: 400, description: 'Invalid input; `errors` names the field and rule.' };

@ApiTags('benchmarks')
@ApiBearerAuth()
@Controller({ path: 'benchmarks/macro', version: '1' })
export class MacroBenchmarksController {
  constructor(private readonly service: MacroBenchmarkService) {}

  @Get('archs/:key')
  @ApiOperation({ summary: 'Full NAS-Bench-Macro record of one key: three test accuracies, mean, std, params, FLOPs, layers, equivalent keys.' })
  @ApiParam({ name: 'key', description: '8 digits 0-2 (0 identity, 1 MB3_K3, 2 MB6_K5), layer 0 first.', example: '22212220' })
  @ApiOkResponse({ type: MacroArchRecordDto })
  @ApiResponse(BAD)
  @ApiResponse(UNAVAILABLE)
  arch(@Param('key') key: string): Promise<MacroArchRecordDto> {
    return this.service.arch(key);
  }

  @Post('query')
  @HttpCode(200)
  @ApiOperation({ summary: 'Batch look-up (up to 6,561 keys, or all) with FLOPs/params/accuracy filters, sorting and one-row-per-network.' })
  @ApiOkResponse({ type: MacroQueryResponseDto })
  @ApiResponse(BAD)
  @ApiResponse(UNAVAILABLE)
  query(@Body() body: MacroQueryRequestDto): Promise<MacroQueryResponseDto> {
    return this.service.query(body);
  }

  @Get('pareto')
  @ApiOperation({ summary: 'Exact Pareto front of mean test accuracy (max) against FLOPs or params (min), one point per distinct network.' })
  @ApiOkResponse({ type: MacroParetoResponseDto })
  @ApiResponse(BAD)
  @ApiResponse(UNAVAILABLE)
  pareto(@Query() q: MacroParetoQuery): Promise<MacroParetoResponseDto> {
    return this.service.pareto(q);
  }

  @Post('correlation')
  @HttpCode(200)
  @ApiOperation({ summary: "Kendall tau-b, Spearman rho, Pearson r and top-k precision of a method's scores against the table's mean accuracy." })
  @ApiOkResponse({ type: MacroCorrelationResponseDto })
  @ApiResponse(BAD)
  @ApiResponse(UNAVAILABLE)
  correlation(@Body() body: MacroCorrelationRequestDto): Promise<MacroCorrelationResponseDto> {
    return this.service.correlation(body);
  }
}
