/** Job ring of nb201-train: the `nb201-train` kind. */
import type { MethodDeps, RegisterKind } from '../../method';
import { createNb201TrainKind } from './nb201-train.kind';

export function registerKinds(deps: MethodDeps, register: RegisterKind): void {
  register(createNb201TrainKind({ trainer: deps.trainer, storageDir: deps.storageDir, dataDir: deps.dataDir, archStrOfIndex: deps.archStrOfIndex }));
}
