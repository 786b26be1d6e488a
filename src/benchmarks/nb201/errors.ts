import { UnavailableError } from '../../common/errors';

/** The benchmark tables are not in the configured directory (HTTP 503 via the ProblemFilter). */
export class BenchmarkDataMissingError extends UnavailableError {
  constructor(
    readonly directory: string,
    readonly missingFiles: readonly string[],
  ) {
    super(
      `NAS-Bench-201 data is not available: expected directory ${directory} to contain ${missingFiles.join(', ')} ` +
        `(set NAS_DATA_DIR to the folder holding nasbench201/)`,
    );
  }
}
