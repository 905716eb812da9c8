import { OyaError } from '../../system/errors.ts';

/** A flag or argument the command does not accept, or a value of the wrong shape. Exit code 2. */
export class CliUsageError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('HARN_CLI_USAGE', message, { details });
  }
}
