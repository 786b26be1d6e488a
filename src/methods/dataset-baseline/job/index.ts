/** Job ring of dataset-baseline: the `dataset-baseline` kind. */
import type { MethodDeps, RegisterKind } from '../../method';
import { createDatasetBaselineKind } from './dataset-baseline.kind';

export function registerKinds(deps: MethodDeps, register: RegisterKind): void {
  register(createDatasetBaselineKind(deps));
}
