/** Errors of the environment providers (harness/env/providers). Codes are stable, never reused. */
import { OyaError } from '../../../system/errors.ts';

/** Bad options: an unknown OYA_ENV value, a bad agent name, a data disk too small. */
export class EnvConfigError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('HARN_ENV_CONFIG', message, { details });
  }
}

/** The `containers` environment was asked for (option or OYA_ENV) but no Docker engine answers. */
export class EnvNoDockerError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('HARN_ENV_NO_DOCKER', message, { details });
  }
}

/**
 * An environment failed to start. Everything it had started was stopped again before this was
 * thrown; `cause` is the first failure, `details.cleanupErrors` any failure of that clean-up.
 */
export class EnvStartError extends OyaError {
  constructor(message: string, cause: unknown, details: Record<string, unknown> = {}) {
    super('HARN_ENV_START', message, { cause, details, retryable: true });
  }
}

/** stop() ran every clean-up step but some failed (listed in details.errors). */
export class EnvStopError extends OyaError {
  constructor(message: string, errors: unknown[]) {
    super('HARN_ENV_STOP', message, { details: { errors: errors.map((e) => (e instanceof Error ? e.message : String(e))) } });
  }
}

/** An operation on an environment that is stopping or stopped (addAgentProxy, db.restart, …). */
export class EnvStoppedError extends OyaError {
  constructor(what: string) {
    super('HARN_ENV_STOPPED', `${what}: the environment is stopped`);
  }
}

/** A db.diskFull operation is not possible here (e.g. the container image has no shell for dd). */
export class EnvDiskFullError extends OyaError {
  constructor(message: string, cause?: unknown) {
    super('HARN_ENV_DISK_FULL', message, { cause });
  }
}

/** containers was forced (option or OYA_ENV) but its images are neither here nor buildable/pullable. */
export class EnvImagesError extends OyaError {
  constructor(message: string, cause: unknown, details: Record<string, unknown> = {}) {
    super('HARN_ENV_IMAGES', message, { cause, details });
  }
}
