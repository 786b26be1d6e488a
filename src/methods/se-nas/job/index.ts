/** Job ring of se-nas: the `se-nas-nb201` kind and its baseline `spos-nb201` (one trainer task, two methods). */
import type { MethodDeps, RegisterKind } from '../../method';
import { createSeNasNb201Kind, createSposNb201Kind } from './nb201-one-shot.kind';

export function registerKinds(deps: MethodDeps, register: RegisterKind): void {
  register(createSposNb201Kind(deps));
  register(createSeNasNb201Kind(deps));
}
