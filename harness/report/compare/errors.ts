/**
 * Errors raised while comparing runs and gating regressions. Codes are stable (`HARN_COMPARE_*`).
 */
import { OyaError } from '../../../system/errors.ts';

/** A journal file could not be read from disk (missing, a directory, no permission). */
export class CompareJournalUnreadableError extends OyaError {
  constructor(file: string, reason: string, cause?: unknown) {
    super('HARN_COMPARE_JOURNAL_UNREADABLE', `${file}: cannot read the journal: ${reason}`, { details: { file, reason }, cause });
  }
}

/** A journal file was read but is not a run journal compare can use (bad JSON, no scenario, a histogram that does not decode). */
export class CompareJournalInvalidError extends OyaError {
  constructor(file: string, reason: string, cause?: unknown) {
    super('HARN_COMPARE_JOURNAL_INVALID', `${file}: not a usable run journal: ${reason}`, { details: { file, reason }, cause });
  }
}

/** A regression rule (`latency.p99: "+10%"`) does not follow the grammar in compare/README.md. */
export class RegressionRuleInvalidError extends OyaError {
  constructor(key: string, rule: unknown, reason: string) {
    super('HARN_COMPARE_RULE_INVALID', `regression rule ${key}: ${JSON.stringify(rule)} is invalid: ${reason}`, {
      details: { key, rule: String(rule), reason },
    });
  }
}
