/**
 * `--base FILE`: a scenario whose system, workload, expect and timeouts explore keeps, drawing
 * only the fault timeline. The file must load (every issue is reported at once, as by
 * `oya validate`); its own faults and profiles are dropped — the document as written is the base.
 */
import { CliUsageError } from '../cli/errors.ts';
import { ScenarioInvalidError, ScenarioSourceError, loadScenarioText } from '../scenario/index.ts';
import { parseYamlSource } from '../scenario/yaml-source.ts';
import type { Draft } from './draft.ts';

/** The draft explore builds on, from the base file's text. Throws CliUsageError when the file is not a valid scenario. */
export async function baseDraft(file: string, text: string): Promise<Draft> {
  try {
    loadScenarioText(text, file);
  } catch (err) {
    if (err instanceof ScenarioInvalidError) throw new CliUsageError(`--base ${file} is not a valid scenario:\n${err.issues.map((i) => `  ${i.line}:${i.column} ${i.path}: ${i.message}`).join('\n')}`, { flag: 'base' });
    if (err instanceof ScenarioSourceError) throw new CliUsageError(`--base ${file}: ${err.message}`, { flag: 'base' });
    throw err;
  }
  const raw = parseYamlSource(text, file).value as Record<string, unknown>;
  const timeouts = (raw.timeouts ?? {}) as Partial<Draft['timeouts']>;
  return {
    name: 'explore',
    kind: 'chaos',
    seed: typeof raw.seed === 'number' ? raw.seed : 1,
    system: (raw.system ?? {}) as Draft['system'],
    workload: raw.workload as Draft['workload'],
    faults: [],
    ...(raw.expect !== undefined ? { expect: raw.expect } : {}),
    timeouts: { drain: timeouts.drain ?? '30s', total: timeouts.total ?? '90s' },
  };
}
