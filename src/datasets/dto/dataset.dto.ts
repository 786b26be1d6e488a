import { ApiProperty } from '@nestjs/swagger';
import { DATASET_FORMATS, Dataset, DatasetFormat } from '../dataset.entity';

export class DatasetDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ enum: DATASET_FORMATS })
  format!: DatasetFormat;

  @ApiProperty({ description: 'SHA-256 (hex) over all uploaded bytes as sent (compressed if gzipped), in field order.', example: 'e3b0c442...' })
  sha256!: string;

  @ApiProperty({ description: 'Total bytes uploaded (as sent). Files are stored decompressed.', example: 494113 })
  sizeBytes!: number;

  @ApiProperty({ example: 3009 })
  numTrain!: number;

  @ApiProperty({ example: 10000 })
  numTest!: number;

  @ApiProperty({ example: 10 })
  numClasses!: number;

  @ApiProperty({ type: [Number], minItems: 3, maxItems: 3, description: '[height, width, channels]', example: [28, 28, 1] })
  imageShape!: number[];

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  static from(d: Dataset): DatasetDto {
    return {
      id: d.id,
      name: d.name,
      format: d.format,
      sha256: d.sha256,
      sizeBytes: Number(d.sizeBytes),
      numTrain: d.numTrain,
      numTest: d.numTest,
      numClasses: d.numClasses,
      imageShape: [...d.imageShape],
      createdAt: d.createdAt.toISOString(),
    };
  }
}

export class DatasetListDto {
  @ApiProperty({ type: [DatasetDto] })
  items!: DatasetDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` to get the next page; null on the last page.' })
  nextCursor!: string | null;
}
