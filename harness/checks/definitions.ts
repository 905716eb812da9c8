/**
 * What each bead was submitted as: its dependencies, its priority and its agent script's step
 * count. Given explicitly (`CheckInput.definitions`, from the scenario plan) or read from the log
 * itself: the runtime keeps the whole bead in BeadSubmitted (`data.bead.dependencies`,
 * `data.priority`, `data.input.agent.steps`) and the DAG in WorkflowSubmitted (`edges`).
 */
import { beadIdOfStream } from './prepare.ts';
import type { BeadDefinition, CheckEvent } from './types.ts';
import type { CheckVocabulary } from './vocabulary.ts';

/** Per bead: the definition, with each field only when some source states it. */
export function resolveDefinitions(
  given: Readonly<Record<string, BeadDefinition>> | undefined,
  events: readonly CheckEvent[] | undefined,
  vocab: CheckVocabulary,
): Map<string, BeadDefinition> {
  const out = new Map<string, BeadDefinition>();
  const edges = new Map<string, Set<string>>();
  for (const event of events ?? []) {
    const data = (event.data ?? {}) as Record<string, unknown>;
    if (event.type === 'WorkflowSubmitted' && Array.isArray(data.edges)) {
      for (const edge of data.edges as unknown[]) {
        if (!Array.isArray(edge) || typeof edge[0] !== 'string' || typeof edge[1] !== 'string') continue;
        let set = edges.get(edge[1]);
        if (set === undefined) edges.set(edge[1], (set = new Set()));
        set.add(edge[0]); // [from, to]: `to` depends on `from`
      }
    }
    if (!vocab.creationEventTypes.includes(event.type)) continue;
    const beadId = beadIdOfStream(event.stream, vocab);
    if (beadId === undefined || out.has(beadId)) continue;
    out.set(beadId, fromSubmitted(data));
  }
  for (const [beadId, deps] of edges) {
    const def = out.get(beadId) ?? {};
    out.set(beadId, { ...def, dependsOn: [...new Set([...(def.dependsOn ?? []), ...deps])] });
  }
  // What the caller states wins, field by field.
  for (const [beadId, def] of Object.entries(given ?? {})) out.set(beadId, { ...out.get(beadId), ...def });
  return out;
}

function fromSubmitted(data: Record<string, unknown>): BeadDefinition {
  const def: BeadDefinition = {};
  const bead = data.bead as Record<string, unknown> | undefined;
  if (typeof data.priority === 'number') def.priority = data.priority;
  if (bead !== undefined && typeof bead === 'object') {
    // Elements are JSON from the log: anything, null included.
    const deps = Array.isArray(bead.dependencies) ? (bead.dependencies as (Record<string, unknown> | null)[]) : [];
    // Only `blocks` dependencies gate a start (system/scheduler/bead.ts blockingDependencies).
    const blocking = deps.filter((d): d is Record<string, unknown> => d?.type === 'blocks' && typeof d.depends_on_id === 'string');
    def.dependsOn = [...new Set(blocking.map((d) => d.depends_on_id as string))];
  }
  const input = (data.input ?? bead?.input) as { agent?: { steps?: unknown } } | undefined;
  if (typeof input?.agent?.steps === 'number') def.steps = input.agent.steps;
  return def;
}
