import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length, Matches } from 'class-validator';
import { DATASET_FORMATS, DatasetFormat } from '../dataset.entity';

/** Text fields of the multipart body of POST /v1/datasets (the files are described by the route's @ApiBody). */
export class CreateDatasetBody {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'mnist-first-3009' })
  @IsString()
  @Length(1, 100)
  @Matches(/\S/, { message: 'name must contain a non-whitespace character' })
  name!: string;

  @ApiProperty({ enum: DATASET_FORMATS })
  @IsIn(DATASET_FORMATS as unknown as string[])
  format!: DatasetFormat;
}
