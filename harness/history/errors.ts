/**
 * Errors raised by the operation history. Codes are stable (`HARN_HISTORY_*`); match on `code`.
 */
import { OyaError } from '../../system/errors.ts';

/** An operation handle was completed twice: Jepsen allows exactly one of ok / fail / info per invoke. */
export class HistoryAlreadyCompletedError extends OyaError {
  constructor(opId: number, first: string, second: string) {
    super('HARN_HISTORY_ALREADY_COMPLETED', `operation ${opId} was already completed as '${first}'; it cannot also be '${second}'`, {
      details: { opId, first, second },
    });
  }
}

/** A serialised history (report journal) does not have the expected shape. */
export class HistoryInvalidError extends OyaError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('HARN_HISTORY_INVALID', `invalid history: ${message}`, { details });
  }
}
