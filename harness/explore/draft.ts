/**
 * A draft: one scenario `oya explore` generated or shrank, in the YAML document's own shape (the
 * shape `oya validate` reads, durations as text), so a draft is written out byte for byte as the
 * finding file and a `--base` file's sections drop straight in. Every draft is checked with the
 * scenario loader (harness/scenario) and the environment's fault capabilities before it runs:
 * explore never runs a scenario `oya validate --env` would refuse.
 */
import { Document, isCollection, visit } from 'yaml';
import type { EnvironmentKind } from '../env/providers/types.ts';
import { unsupportedFaults } from '../runner/faults/index.ts';
import {
  ScenarioInvalidError,
  loadScenarioText,
  formatDuration,
  parseDuration,
  PROCESS_GROUPS,
  PROCESS_SETTLE_MS,
  type ResolvedScenario,
} from '../scenario/index.ts';

/** A raw fault entry: `{ at, do, for?, …params }` as in the YAML. */
export interface DraftFault {
  at: string;
  do: string;
  for?: string;
  [param: string]: unknown;
}

/** A raw workflow bead. */
export interface DraftBead {
  id: string;
  dependsOn?: string[];
  agent?: Record<string, unknown>;
}

/** A raw workload phase (exactly one of beads, workflow, invalid). */
export interface DraftPhase {
  name?: string;
  start?: string;
  beads?: number;
  workflow?: { name: string; beads: DraftBead[] };
  count?: number;
  rate?: string;
  agent?: Record<string, unknown>;
  cancel?: Record<string, unknown>;
  duplicates?: number;
  duplicateAfter?: string;
  retry?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The scenario document. Sections explore does not generate (expect, thresholds…) pass through from a base. */
export interface Draft {
  name: string;
  kind: 'chaos' | 'integration';
  description?: string;
  seed: number;
  system: Record<string, unknown> & { defects?: string[]; admin?: boolean };
  workload: DraftPhase[];
  faults: DraftFault[];
  timeouts: { drain: string; total: string };
  [section: string]: unknown;
}

/** Attempts a bead gets (the API's `maxAttempts` default): `failTimes` at least this fails it for good. */
export const BEAD_ATTEMPTS = 3;

/** Does this agent script fail every attempt (the bead ends failed)? */
export const failsForGood = (agent: Record<string, unknown> | undefined): boolean =>
  agent?.failAt !== undefined && typeof agent.failTimes === 'number' && agent.failTimes >= BEAD_ATTEMPTS;

/**
 * The `expect:` a generated workload implies beyond the defaults: every workflow bead whose script
 * fails for good ends `failed`, and so does every bead that depends on it, directly or not (the
 * scheduler blocks it); `completed: all` (the default) covers the rest. No counts: a submission
 * refused while the orchestrator or its DB was down creates no bead, which is no defect, and a
 * count would call it one (the state check judges the beads that exist; `lost`, the acknowledged
 * ones). A generated workload with such beads has no cancellations (generator.ts drops them). Any
 * phase with a `priority` claims priority order (`priorityOrder: true`: no bead starts while one
 * of higher priority waits queued). Undefined when the defaults say it all.
 */
export function derivedExpect(workload: readonly DraftPhase[]): Record<string, unknown> | undefined {
  const beads: Record<string, string> = {};
  for (const phase of workload) {
    if (!phase.workflow) continue;
    const failed = new Set(phase.workflow.beads.filter((b) => failsForGood(b.agent)).map((b) => b.id));
    for (let grew = true; grew;) {
      grew = false;
      for (const b of phase.workflow.beads) {
        if (!failed.has(b.id) && (b.dependsOn ?? []).some((d) => failed.has(d))) {
          failed.add(b.id);
          grew = true;
        }
      }
    }
    for (const b of phase.workflow.beads) if (failed.has(b.id)) beads[`${phase.workflow.name}.${b.id}`] = 'failed';
  }
  const failing = Object.keys(beads).length > 0;
  const priorityOrder = workload.some((p) => p.priority !== undefined);
  if (!failing && !priorityOrder) return undefined;
  return { ...(failing ? { beads } : {}), ...(priorityOrder ? { priorityOrder: true } : {}) };
}

/** The draft with the `expect:` its workload implies (none when the defaults say it all). */
export function withDerivedExpect(draft: Draft): Draft {
  const { expect: _old, ...rest } = draft;
  const expect = derivedExpect(draft.workload);
  return expect === undefined ? rest : { ...rest, expect };
}

/** `1200` → `"1s200ms"`: the scenario's duration text. */
export const duration = (ms: number): string => formatDuration(Math.max(0, Math.round(ms)));

/** A duration field of a draft, in ms (0 when absent). */
export const millis = (text: unknown): number => (typeof text === 'string' ? parseDuration(text) : 0);

/** Beads the draft submits (independent beads + every workflow instance's beads). */
export function beadCount(draft: Pick<Draft, 'workload'>): number {
  return draft.workload.reduce((n, p) => n + (p.beads ?? 0) + (p.workflow ? p.workflow.beads.length * (p.count ?? 1) : 0), 0);
}

/** `3 faults (db.outage, agent.crash, orchestrator.kill), 6 beads in 2 phases`. */
export function describeDraft(draft: Draft): string {
  const faults =
    draft.faults.length === 0 ? 'no faults' : `${draft.faults.length} fault${draft.faults.length > 1 ? 's' : ''} (${draft.faults.map((f) => f.do).join(', ')})`;
  return `${faults}, ${beadCount(draft)} bead${beadCount(draft) === 1 ? '' : 's'} in ${draft.workload.length} phase${draft.workload.length > 1 ? 's' : ''}`;
}

/** The YAML text of a draft, schema comment first; `comment` lines go above it (the finding's reason). */
export function draftYaml(draft: Draft, comment: readonly string[] = []): string {
  const head = [...comment.map((line) => `# ${line}`), '# yaml-language-server: $schema=../schema.json'];
  const doc = new Document(draft);
  // Small mappings and lists on one line, as the hand-written scenarios do: `- { at: 1s, do: db.kill }`.
  visit(doc, {
    Map(_key, node, path) {
      if (path.length > 1 && JSON.stringify(node.toJSON()).length <= FLOW_WIDTH) node.flow = true;
    },
    Seq(_key, node, path) {
      if (path.length > 1 && node.items.every((item) => !isCollection(item)) && JSON.stringify(node.toJSON()).length <= FLOW_WIDTH) node.flow = true;
    },
  });
  return `${head.join('\n')}\n${doc.toString({ lineWidth: 0 })}`;
}

/** Longest mapping or list (as JSON) written on one line. */
const FLOW_WIDTH = 90;

/** The outcome of checking a draft: the resolved scenario, or every reason it would be refused. */
export type DraftCheck = { ok: true; scenario: ResolvedScenario } | { ok: false; problems: string[] };

/**
 * Loads the draft as `oya validate --env <env>` would, from a virtual `<kind>/<name>.yaml` path
 * (so the kind/folder rule holds), then applies explore's own rule ({@link faultConflicts}).
 */
export function checkDraft(draft: Draft, env: EnvironmentKind): DraftCheck {
  let scenario: ResolvedScenario;
  try {
    scenario = loadScenarioText(draftYaml(draft), `explore/${draft.kind}/${draft.name}.yaml`);
  } catch (err) {
    if (err instanceof ScenarioInvalidError) return { ok: false, problems: err.issues.map((i) => `${i.path}: ${i.message}`) };
    throw err;
  }
  const problems = unsupportedFaults(scenario.faults, { kind: env }).map(
    (u) => `faults[${u.index}].do: ${u.do} cannot run in the ${env} environment: ${u.reason}`,
  );
  problems.push(...faultConflicts(draft.faults));
  return problems.length === 0 ? { ok: true, scenario } : { ok: false, problems };
}

/**
 * Pairs of faults on the same process (PROCESS_GROUPS) whose windows, plus PROCESS_SETTLE_MS,
 * overlap. Stricter than `oya validate`, which refuses only a fault inside a kill's or restart's
 * window: explore never overlaps two faults on one process, so a draft tests one thing at a time.
 */
export function faultConflicts(faults: readonly DraftFault[]): string[] {
  const problems: string[] = [];
  const windows = faults.map((f, index) => ({ index, group: PROCESS_GROUPS[f.do], from: millis(f.at), to: millis(f.at) + millis(f.for) + PROCESS_SETTLE_MS }));
  for (const a of windows) {
    for (const b of windows) {
      if (a.index >= b.index || a.group === undefined || a.group !== b.group) continue;
      if (a.from < b.to && b.from < a.to) problems.push(`faults[${a.index}] and faults[${b.index}] both act on the ${a.group} within ${PROCESS_SETTLE_MS} ms`);
    }
  }
  return problems;
}
