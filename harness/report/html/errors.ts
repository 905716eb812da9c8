/**
 * Errors raised while rendering HTML reports. Codes are stable (`HARN_REPORT_*`).
 */
import { OyaError } from '../../../system/errors.ts';

/** A JSON file under reports/<kind>/ is not a scenario journal the report can render. */
export class ReportJournalInvalidError extends OyaError {
  constructor(source: string, reason: string, cause?: unknown) {
    super('HARN_REPORT_JOURNAL_INVALID', `${source}: not a renderable scenario journal: ${reason}`, { details: { source, reason }, cause });
  }
}

/** writeReports() was pointed at a directory that does not exist. */
export class ReportDirMissingError extends OyaError {
  constructor(dir: string, cause?: unknown) {
    super('HARN_REPORT_DIR_MISSING', `report directory ${dir} does not exist (run a scenario first: it writes reports/<kind>/<scenario>.json)`, {
      details: { dir },
      cause,
    });
  }
}
