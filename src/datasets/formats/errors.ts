/**
 * A dataset file that cannot be read as the format it claims to be. `file` names the file (or upload field),
 * `problem` says what is wrong with it; `rule` is a short machine-readable name of the violated rule.
 */
export class DatasetFormatError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly rule: string = 'format',
  ) {
    super(`${file}: ${problem}`);
    this.name = 'DatasetFormatError';
  }
}
