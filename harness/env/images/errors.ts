/** Errors of the local image builder (harness/env/images). Codes are stable, never reused. */
import { OyaError } from '../../../system/errors.ts';

/** No Docker engine, and none could be installed or started here (the message says which step and why). */
export class ImagesNoDockerError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('HARN_IMAGES_NO_DOCKER', message, { details });
  }
}

/** Staging a rootfs or a `docker import` / `docker build` failed (output attached). */
export class ImagesBuildError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super('HARN_IMAGES_BUILD', message, { details, cause });
  }
}

/** An image entry point got arguments it cannot translate to `oya surreal` / `oya toxiproxy`. */
export class ImagesArgsError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('HARN_IMAGES_ARGS', message, { details });
  }
}
