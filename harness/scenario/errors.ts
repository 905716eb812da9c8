/**
 * The two stages of scenario error (chaostoolkit's InvalidSource / InvalidExperiment):
 * the file cannot be read or is not YAML → ScenarioSourceError; it is YAML but not a valid
 * scenario → ScenarioInvalidError with every issue found, each pointing at file:line:col and a
 * field path such as `faults[2].for`.
 */
import { OyaError } from '../../system/errors.ts';

/** A field path such as `faults[2].for`, built from the zod/YAML path segments. */
export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(root)' : out;
}

/** One problem in a scenario file. `line`/`column` are 1-based. */
export interface ScenarioIssue {
  file: string;
  line: number;
  column: number;
  /** Field path, e.g. `faults[2].for`; `(root)` for the document itself. */
  path: string;
  message: string;
}

/** `file:line:col path: message`, the format editors and terminals link. */
export function formatIssue(issue: ScenarioIssue): string {
  return `${issue.file}:${issue.line}:${issue.column} ${issue.path}: ${issue.message}`;
}

/** The file could not be read, or is not well-formed YAML. */
export class ScenarioSourceError extends OyaError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The message without the location prefix. */
  readonly reason: string;

  /** `line`/`column` are 1-based; 0 when the file could not be read at all. */
  constructor(file: string, line: number, column: number, reason: string, cause?: unknown) {
    super('HARN_SCENARIO_SOURCE', `${file}:${line}:${column} ${reason}`, { details: { file, line, column }, cause });
    this.file = file;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

/** The file is YAML but not a valid scenario. `issues` lists every problem, in document order. */
export class ScenarioInvalidError extends OyaError {
  readonly file: string;
  readonly issues: readonly ScenarioIssue[];

  constructor(file: string, issues: ScenarioIssue[]) {
    const head = `${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'} in scenario`;
    super('HARN_SCENARIO_INVALID', [head, ...issues.map((i) => `  ${formatIssue(i)}`)].join('\n'), {
      details: { file, issues },
    });
    this.file = file;
    this.issues = Object.freeze([...issues]);
  }
}
