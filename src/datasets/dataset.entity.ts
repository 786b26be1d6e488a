import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const DATASET_FORMATS = ['cifar10-binary', 'mnist-idx'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** An uploaded image-classification dataset: files on disk, metadata here. */
@Entity({ name: 'datasets' })
@Index('datasets_team_page', ['teamId', 'createdAt', 'id'])
export class Dataset {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'team_id', type: 'uuid' })
  teamId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  format!: DatasetFormat;

  /** SHA-256 over the uploaded files, in field order. */
  @Column({ type: 'text' })
  sha256!: string;

  @Column({ name: 'size_bytes', type: 'bigint' })
  sizeBytes!: string;

  @Column({ name: 'num_train', type: 'int' })
  numTrain!: number;

  @Column({ name: 'num_test', type: 'int' })
  numTest!: number;

  @Column({ name: 'num_classes', type: 'int' })
  numClasses!: number;

  /** [height, width, channels] */
  @Column({ name: 'image_shape', type: 'jsonb' })
  imageShape!: [number, number, number];

  /** Directory holding the stored files, relative to the storage root. */
  @Column({ name: 'storage_path', type: 'text' })
  storagePath!: string;

  /** Stored file names by role (train-images, train-labels, test-images, ...). */
  @Column({ type: 'jsonb' })
  files!: Record<string, string>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
