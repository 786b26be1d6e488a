/** Job ring of conet: the `conet` kind. */
import type { MethodDeps, RegisterKind } from '../../method';
import { createConetKind } from './conet.kind';

export function registerKinds(deps: MethodDeps, register: RegisterKind): void {
  register(createConetKind(deps));
}
