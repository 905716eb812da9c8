/**
 * Loads scenario files: YAML with positions → section-by-section validation → the chosen profile
 * merged in → a deep-frozen ResolvedScenario. Nothing starts on an invalid file: every problem
 * comes back at once in a ScenarioInvalidError, each issue with file:line:col and a field path.
 */
import { readFile } from 'node:fs/promises';
import { ScenarioInvalidError, ScenarioSourceError, formatPath, type ScenarioIssue } from './errors.ts';
import type { ResolvedScenario } from './schema.ts';
import type { ProfileName } from './sections/profiles.ts';
import { validateProfile, validateScenarioValue, type PathIssue } from './validate.ts';
import { parseYamlSource, type YamlSource } from './yaml-source.ts';

export interface LoadScenarioOptions {
  /** Merge this profile's overrides in. Omitted: the base document as written. */
  profile?: ProfileName | undefined;
}

/** Reads and loads a scenario file. Rejects with ScenarioSourceError or ScenarioInvalidError. */
export async function loadScenarioFile(path: string, options: LoadScenarioOptions = {}): Promise<ResolvedScenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ScenarioSourceError(path, 0, 0, `cannot read file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, err);
  }
  return loadScenarioText(text, path, options);
}

/** Loads scenario text; `filename` is used in messages and for the kind/folder check. */
export function loadScenarioText(text: string, filename: string, options: LoadScenarioOptions = {}): ResolvedScenario {
  const source = parseYamlSource(text, filename);
  const checked = validateScenarioValue(source.value, filename);
  if (checked.issues.length > 0) throw new ScenarioInvalidError(filename, toScenarioIssues(source, checked.issues));

  const resolved = options.profile ? validateProfile(source.value, options.profile, filename) : checked;
  // Every profile was validated above, so this cannot fail; the guard keeps the types honest.
  if (!resolved.value) throw new ScenarioInvalidError(filename, toScenarioIssues(source, resolved.issues));
  const { profiles: _profiles, ...scenario } = resolved.value;
  return deepFreeze({ ...scenario, profile: options.profile, file: filename });
}

function toScenarioIssues(source: YamlSource, issues: PathIssue[]): ScenarioIssue[] {
  return issues
    .map((issue) => {
      const { line, column } = source.locate(issue.path, { atKey: issue.atKey ?? false });
      return { file: source.file, line, column, path: formatPath(issue.path), message: issue.message };
    })
    .sort((a, b) => a.line - b.line || a.column - b.column);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
