import { UnavailableError } from '../../common/errors';

/** A backend forced through TRAINER_BACKEND (or opts.force) cannot be used on this machine. */
export class BackendUnavailableError extends UnavailableError {
  constructor(
    readonly backend: string,
    reason: string,
  ) {
    super(`trainer backend '${backend}' is not available: ${reason}`);
  }
}
