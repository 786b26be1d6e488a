import { ApiProperty } from '@nestjs/swagger';
import type { BackendChoice, TrainerBackendName } from '../../trainer/engine/backend';

// Type-only imports above: the API process must not load TensorFlow.js (engine/backend.ts does).
const BACKEND_NAMES: readonly TrainerBackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

/** The TensorFlow.js backend a trainer task ran on, as results report it. */
export class TrainerBackendDto implements BackendChoice {
  @ApiProperty({ enum: BACKEND_NAMES, description: 'TensorFlow.js backend the model was trained on' }) name!: TrainerBackendName;
  @ApiProperty({ description: 'Why this backend was picked (and why faster ones were not)' }) reason!: string;
}

