import { Limit } from '../../../common/limit.decorators';
import { DatasetField } from '../../../datasets/dto/dataset-field.decorator';
import { DATASET_BASELINE_LIMITS as L } from './limits';

/** Spec of a `dataset-baseline` job: train the linear softmax baseline on a dataset and report its test accuracy. Limits: ./limits.ts. */
export class DatasetBaselineSpec {
  @DatasetField({
    description: 'Builtin dataset name (mnist, fashion-mnist, cifar10-subset) or the id of a dataset your team uploaded.',
    example: 'mnist',
  })
  dataset!: string;

  @Limit(L.epochs, { description: 'Passes over the training images.', example: 3 })
  epochs!: number;

  @Limit(L.batchSize, { description: 'Images per SGD step.', example: 64 })
  batchSize!: number;

  @Limit(L.lr, { description: 'SGD learning rate (momentum 0.9, weight decay 5e-4).', example: 0.003 })
  lr!: number;

  @Limit(L.seed, { description: 'Seed of the shuffling RNG: the same seed gives the same model.', example: 1 })
  seed!: number;
}
