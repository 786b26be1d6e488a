import { ApiProperty } from '@nestjs/swagger';
import { ARTIFACT_KINDS, ArtifactKind } from '../artifact-kinds';
import { Artifact } from '../artifact.entity';

export class ArtifactDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ARTIFACT_KINDS, description: 'supernet, elite-space, model-family, model (one exported trained network) or latency-table (per-unit latencies measured on the service backend).' })
  kind!: ArtifactKind;

  @ApiProperty({ example: 'nb201-train |nor_conv_3x3~0|+|...| C=16 N=5' })
  name!: string;

  @ApiProperty({ description: 'Media type of the content.', example: 'application/vnd.nas-service.weights' })
  mediaType!: string;

  @ApiProperty({ description: 'Size of the content in bytes.', example: 1614208 })
  sizeBytes!: number;

  @ApiProperty({ description: 'SHA-256 (hex) of the content; also sent with the download (X-Content-SHA256, Repr-Digest).', example: 'e3b0c442...' })
  sha256!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The job that produced it (null once that job is gone).' })
  jobId!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Descriptive metadata from the producer (format, arch, shapes, accuracy ...).' })
  meta!: Record<string, unknown>;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: string;

  static from(a: Artifact): ArtifactDto {
    return {
      id: a.id,
      kind: a.kind,
      name: a.name,
      mediaType: a.mediaType,
      sizeBytes: Number(a.sizeBytes),
      sha256: a.sha256,
      jobId: a.jobId,
      meta: a.meta,
      createdAt: a.createdAt.toISOString(),
    };
  }
}

export class ArtifactListDto {
  @ApiProperty({ type: [ArtifactDto] })
  items!: ArtifactDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` to get the next page; null on the last page.' })
  nextCursor!: string | null;
}
