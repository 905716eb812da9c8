/** Errors of the local image builder (harness/env/images). Codes are stable, never reused. */
import { OyaError } from '../../../system/errors.ts';

/**
 * No Docker engine, and none could be installed or started here (the message says which step and
 * why). Same code as the providers' EnvNoDockerError: to its caller it is the same condition.
 */
export class ImagesNoDockerError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('HARN_ENV_NO_DOCKER', message, { details });
  }
}

/** Staging a rootfs, a `docker build` or a `docker pull` failed (output in the message): the images cannot be had. */
export class ImagesBuildError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super('HARN_ENV_IMAGES', message, { details, cause });
  }
}

/**
 * An image entry point got a command line it cannot translate to `oya surreal` / `oya toxiproxy`:
 * a usage error of that command, so the CLI's code and exit status 2.
 */
export class ImagesArgsError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('HARN_CLI_USAGE', message, { details });
  }
}
