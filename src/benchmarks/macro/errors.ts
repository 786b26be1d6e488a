import { UnavailableError } from '../../common/errors';

/** The NAS-Bench-Macro table is not in the configured directory (HTTP 503 via the ProblemFilter). */
export class MacroDataMissingError extends UnavailableError {
  constructor(
    readonly directory: string,
    readonly missingFiles: readonly string[],
  ) {
    super(
      `NAS-Bench-Macro data is not available: expected directory ${directory} to contain ${missingFiles.join(', ')} ` +
        `(set NAS_DATA_DIR to the folder holding nasbench_macro/)`,
    );
  }
}
