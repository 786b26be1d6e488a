/** Job ring of scalenet: the `scalenet-family` kind. */
import type { MethodDeps, RegisterKind } from '../../method';
import { createScaleNetFamilyKind } from './scalenet-family.kind';

export function registerKinds(deps: MethodDeps, register: RegisterKind): void {
  register(createScaleNetFamilyKind(deps));
}
