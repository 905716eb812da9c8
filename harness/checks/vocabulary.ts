/**
 * The names checkers look for in events, statuses and operations.
 *
 * Defaults follow the event types of system/events/types.ts (`beadEventSchemas`) and the statuses
 * of system/events/projection.ts; vocabulary.test.ts fails if those names change. They stay
 * configuration (`CheckInput.vocabulary`) rather than imports so the checkers can re-check an old
 * journal, or a system with other names, without depending on the system's code.
 */

/** Event, status and operation names the checkers depend on. */
export interface CheckVocabulary {
  /** Events that end a bead; each bead may have at most one. */
  terminalEventTypes: readonly string[];
  /** Events that create a bead; each bead has exactly one. */
  creationEventTypes: readonly string[];
  /** Per-bead streams are named `<prefix><beadId>`. @default 'bead:' */
  beadStreamPrefix: string;
  /** Statuses that end a bead. */
  terminalStatuses: readonly string[];
  succeededStatus: string;
  failedStatus: string;
  cancelledStatus: string;
  /** History operation kinds that create beads. */
  submitKinds: readonly string[];
  /** History operation kinds that cancel a bead. */
  cancelKinds: readonly string[];
}

/** The defaults. */
export const DEFAULT_VOCABULARY: Readonly<CheckVocabulary> = Object.freeze({
  terminalEventTypes: ['BeadSucceeded', 'BeadFailed', 'BeadCancelled'],
  creationEventTypes: ['BeadSubmitted'],
  beadStreamPrefix: 'bead:',
  terminalStatuses: ['succeeded', 'failed', 'cancelled'],
  succeededStatus: 'succeeded',
  failedStatus: 'failed',
  cancelledStatus: 'cancelled',
  submitKinds: ['submit', 'submitWorkflow'],
  cancelKinds: ['cancel'],
});

/** Defaults overlaid with the given names. */
export function resolveVocabulary(partial: Partial<CheckVocabulary> = {}): CheckVocabulary {
  const resolved: CheckVocabulary = { ...DEFAULT_VOCABULARY };
  // A JavaScript caller may pass a key as undefined: the default stays.
  for (const [key, value] of Object.entries(partial) as [string, unknown][])
    if (value !== undefined) (resolved as unknown as Record<string, unknown>)[key] = value;
  return resolved;
}
