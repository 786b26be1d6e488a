import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional } from 'class-validator';
import { NB201_DATASETS, Nb201Dataset, Nb201Epochs, Nb201Split } from '../nb201/types';

/** Provenance note attached to every look-up answer. */
export const NB201_SOURCE =
  'NAS-Bench-201 (NATS-tss v1.0) benchmark look-up, no training run; accuracies are means over the recorded seeds; ' +
  'FLOPs/params from the layer-by-layer cost counter (official convention); latencies measured by HELP.';

/** dataset/split/epochs selectors shared by the request DTOs. */
export class Nb201MetricSelector {
  @ApiPropertyOptional({ enum: NB201_DATASETS, default: 'cifar10' })
  @IsOptional()
  @IsIn(NB201_DATASETS as unknown as string[])
  dataset?: Nb201Dataset;

  @ApiPropertyOptional({ enum: ['test', 'valid'], description: 'Default: valid for cifar10-valid, test otherwise.' })
  @IsOptional()
  @IsIn(['test', 'valid'])
  split?: Nb201Split;

  @ApiPropertyOptional({ enum: [12, 200], default: 200, description: 'Training schedule (200 epochs, or the 12-epoch schedule).' })
  @IsOptional()
  @Type(() => Number)
  @IsIn([12, 200], { message: 'epochs must be 12 or 200' })
  epochs?: Nb201Epochs;
}
