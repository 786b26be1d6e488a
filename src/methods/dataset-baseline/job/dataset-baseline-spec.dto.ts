import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsNumber, IsPositive, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

/** Spec of a `dataset-baseline` job: train the linear softmax baseline on a dataset and report its test accuracy. */
export class DatasetBaselineSpec {
  @ApiProperty({
    description: 'Builtin dataset name (mnist, fashion-mnist, cifar10-subset) or the id of a dataset your team uploaded.',
    example: 'mnist',
    minLength: 1,
    maxLength: 64,
  })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  dataset!: string;

  @ApiProperty({ description: 'Passes over the training images.', minimum: 1, maximum: 50, example: 3 })
  @IsInt()
  @Min(1)
  @Max(50)
  epochs!: number;

  @ApiProperty({ description: 'Images per SGD step.', minimum: 1, maximum: 4096, example: 64 })
  @IsInt()
  @Min(1)
  @Max(4096)
  batchSize!: number;

  @ApiProperty({ description: 'SGD learning rate (momentum 0.9, weight decay 5e-4).', exclusiveMinimum: true, minimum: 0, maximum: 10, example: 0.003 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(10)
  lr!: number;

  @ApiProperty({ description: 'Seed of the shuffling RNG: the same seed gives the same model.', minimum: 0, example: 1 })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  seed!: number;
}
