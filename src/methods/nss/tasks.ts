/** Task handles of nss, shared by its job ring (the kinds run them) and its training ring (the child serves them). */
import { taskHandle } from '../../common/task-handle';
import type { NssEliteSpaceInput } from './training/elite-space-input';
import type { NssEliteSpaceResult } from './training/elite-space.task';
import type { NssArchSearchInput } from './training/arch-search-input';
import type { NssArchSearchResult } from './training/arch-search.task';

/** Trainer task: the NSS search (supernet + Theta) to an Elite Space, with supernet accuracies of sampled architectures. */
export const NSS_ELITE_SPACE_TASK = taskHandle<NssEliteSpaceInput, NssEliteSpaceResult>('nss-elite-space');

/** Trainer task: NAS inside an Elite Space or the Expanded Search Space for a FLOPs target (+ optional short stand-alone training). */
export const NSS_ARCH_SEARCH_TASK = taskHandle<NssArchSearchInput, NssArchSearchResult>('nss-arch-search');
