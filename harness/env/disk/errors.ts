/** Errors of the size-limited disk helper. Codes are stable. */
import { OyaError } from '../../../system/errors.ts';

/** A size-limited tmpfs could not be set up here (not root and no user namespaces, mount failed). */
export class DiskUnavailableError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('HARN_DISK_UNAVAILABLE', message, { details });
  }
}

/** fill() stopped on an error other than ENOSPC, so the disk is not known to be full. */
export class DiskFillError extends OyaError {
  constructor(message: string, cause: unknown) {
    super('HARN_DISK_FILL', message, { cause });
  }
}
