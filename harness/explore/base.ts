/**
 * `--base FILE`: a scenario whose system, workload, expect and timeouts explore keeps, drawing
 * only the fault timeline. The file must load (it throws the loader's ScenarioSourceError or
 * ScenarioInvalidError, every issue at once, as `oya validate` reports them); its own faults and
 * profiles are dropped — the document as written is the base.
 */
import { loadScenarioText } from '../scenario/index.ts';
import { parseYamlSource } from '../scenario/yaml-source.ts';
import type { Draft } from './draft.ts';

/** The draft explore builds on, from the base file's text. */
export function baseDraft(file: string, text: string): Draft {
  loadScenarioText(text, file);
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
    timeouts: { drain: timeouts.drain ?? '20s', total: timeouts.total ?? '90s' },
  };
}
