/** Job ring of nss: `nss-elite-space` (the NSS search to an Elite Space) and `nss-search` (NAS inside a space). */
import type { MethodDeps, RegisterKind } from '../../method';
import { createNssEliteSpaceKind, createNssSearchKind } from './nss.kinds';

export function registerKinds(deps: MethodDeps, register: RegisterKind): void {
  register(createNssEliteSpaceKind(deps));
  register(createNssSearchKind(deps));
}
