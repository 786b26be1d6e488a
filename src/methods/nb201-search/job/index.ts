/** Job ring of nb201-search: the `nb201-search` kind. */
import type { MethodDeps, RegisterKind } from '../../method';
import { createNb201SearchKind } from './nb201-search.kind';

export function registerKinds(deps: MethodDeps, register: RegisterKind): void {
  register(createNb201SearchKind({ runPool: deps.runPool, dataDir: deps.dataDir }));
}
