/**
 * The bead model: the fields of the beads issue tracker (steveyegge/beads) where they overlap,
 * plus what the orchestrator needs to run one (workflowId, input, timeoutMs, maxAttempts), and
 * the zod schemas the REST API validates with.
 *
 * Dependencies: either the tracker's `dependencies: [{issue_id, depends_on_id, type}]` or the
 * shorthand `dependsOn: ['id', ...]`, which means `{issue_id: <this id>, depends_on_id, type:
 * 'blocks'}`. Both may be given; they are merged. As in the tracker, only `blocks` decides
 * readiness (and only `blocks` is checked for unknown ids and cycles); the other types are kept
 * as information.
 */
import { z } from 'zod';
import { BeadInvalidError } from './errors.ts';
import { validateDag } from './dag.ts';

/** 0 is the highest priority, 4 the lowest (the tracker's scale). */
export type Priority = 0 | 1 | 2 | 3 | 4;
export const PRIORITIES: readonly Priority[] = [0, 1, 2, 3, 4];

/**
 * Where a bead is in the scheduler's ready queue — the DAG's view, not the bead's lifecycle
 * status (that is `BeadStatus` in system/events/projection.ts, the one the API, the log and the
 * harness speak). Tracker equivalents in brackets.
 * - pending: waiting for `blocks` dependencies to succeed [open, blocked]
 * - ready: all dependencies succeeded, waiting for a slot [open, in `bd ready`]
 * - running: taken by a worker [in_progress]
 * - succeeded / failed / cancelled: final [closed, with close_reason]
 * - blocked_by_failure / blocked_by_cancellation: a dependency (transitively) failed or was
 *   cancelled, so this bead can never run; final unless the operator resubmits [blocked]
 */
export type QueueState = 'pending' | 'ready' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'blocked_by_failure' | 'blocked_by_cancellation';

/** Queue states a bead never leaves (the lifecycle's terminal set is system/events' TERMINAL_BEAD_STATUSES). */
export const FINAL_QUEUE_STATES: ReadonlySet<QueueState> = new Set(['succeeded', 'failed', 'cancelled', 'blocked_by_failure', 'blocked_by_cancellation']);

/** @default 10 minutes: an agent task that runs longer is presumed stuck. */
export const DEFAULT_BEAD_TIMEOUT_MS = 600_000;
/** @default 3 attempts (the first run plus two retries). */
export const DEFAULT_MAX_ATTEMPTS = 3;
/** @default 2, the tracker's default "medium". */
export const DEFAULT_PRIORITY: Priority = 2;

/** Ids: tracker style (`bd-a1b2`, `bd-a3f8.1.1`) or any short slug. */
export const BeadIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be 1-128 characters of A-Z a-z 0-9 . _ : - starting with a letter or digit');

export const DependencyTypeSchema = z.enum(['blocks', 'related', 'parent-child', 'discovered-from']);

export const DependencySchema = z.strictObject({
  /** The dependent bead; defaults to the bead the dependency is listed on. */
  issue_id: BeadIdSchema.optional(),
  depends_on_id: BeadIdSchema,
  type: DependencyTypeSchema.default('blocks'),
});

/** One bead as a client submits it. Unknown keys are errors. */
export const BeadInputSchema = z
  .strictObject({
    id: BeadIdSchema,
    title: z.string().min(1).max(500),
    description: z.string().max(100_000).optional(),
    priority: z.int().min(0).max(4).default(DEFAULT_PRIORITY),
    labels: z.array(z.string().min(1).max(100)).max(50).optional(),
    dependsOn: z.array(BeadIdSchema).max(1_000).optional(),
    dependencies: z.array(DependencySchema).max(1_000).optional(),
    /** Set from the enclosing workflow; a standalone bead is its own one-bead workflow. */
    workflowId: BeadIdSchema.optional(),
    /** Handed to the agent as is (prompt, repository, step script...). */
    input: z.record(z.string(), z.unknown()).default({}),
    timeoutMs: z.int().min(1).max(86_400_000).default(DEFAULT_BEAD_TIMEOUT_MS),
    maxAttempts: z.int().min(1).max(100).default(DEFAULT_MAX_ATTEMPTS),
  })
  .superRefine((bead, ctx) => {
    bead.dependencies?.forEach((dep, i) => {
      if (dep.issue_id !== undefined && dep.issue_id !== bead.id) {
        ctx.addIssue({ code: 'custom', path: ['dependencies', i, 'issue_id'], message: `must be this bead's id (${bead.id}) or omitted` });
      }
    });
    bead.dependsOn?.forEach((dep, i) => {
      if (dep === bead.id) ctx.addIssue({ code: 'custom', path: ['dependsOn', i], message: 'a bead cannot depend on itself' });
    });
  });

/** A workflow: a DAG of beads submitted together. */
export const WorkflowInputSchema = z
  .strictObject({
    id: BeadIdSchema,
    title: z.string().min(1).max(500).optional(),
    beads: z.array(BeadInputSchema).min(1).max(10_000),
  })
  .superRefine((wf, ctx) => {
    wf.beads.forEach((bead, i) => {
      if (bead.workflowId !== undefined && bead.workflowId !== wf.id) {
        ctx.addIssue({ code: 'custom', path: ['beads', i, 'workflowId'], message: `must be the workflow's id (${wf.id}) or omitted` });
      }
    });
  });

export type BeadInput = z.input<typeof BeadInputSchema>;
export type WorkflowInput = z.input<typeof WorkflowInputSchema>;
export type Dependency = { issue_id: string; depends_on_id: string; type: z.infer<typeof DependencyTypeSchema> };

/** A validated, normalized bead: every default applied, dependencies in tracker form. */
export interface Bead {
  id: string;
  title: string;
  description?: string;
  priority: Priority;
  labels: string[];
  workflowId: string;
  input: Record<string, unknown>;
  timeoutMs: number;
  maxAttempts: number;
  dependencies: Dependency[];
}

export interface Workflow {
  id: string;
  title?: string;
  beads: Bead[];
}

/** The ids this bead waits for (its `blocks` dependencies), without duplicates. */
export function blockingDependencies(bead: Pick<Bead, 'dependencies'>): string[] {
  return [...new Set(bead.dependencies.filter((d) => d.type === 'blocks').map((d) => d.depends_on_id))];
}

/** Validates and normalizes one bead; throws ORCH_BEAD_INVALID naming each bad field's path. */
export function parseBead(input: unknown): Bead {
  return normalize(check(BeadInputSchema, input));
}

/**
 * Validates a workflow: schema (ORCH_BEAD_INVALID), then the DAG (ORCH_DAG_DUPLICATE_ID,
 * ORCH_DAG_UNKNOWN_DEPENDENCY, ORCH_DAG_CYCLE). `isKnown` accepts dependencies on beads that
 * exist outside the workflow (already in the queue).
 */
export function parseWorkflow(input: unknown, isKnown: (id: string) => boolean = () => false): Workflow {
  const wf = check(WorkflowInputSchema, input);
  const beads = wf.beads.map((b) => normalize({ ...b, workflowId: wf.id }));
  validateDag(
    beads.map((b) => ({ id: b.id, dependsOn: blockingDependencies(b) })),
    isKnown,
  );
  return { id: wf.id, ...(wf.title === undefined ? {} : { title: wf.title }), beads };
}

/** `['beads', 2, 'priority']` -> `beads[2].priority`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out === '' ? String(key) : `${out}.${String(key)}`), '');
}

function check<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new BeadInvalidError(result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
  }
  return result.data;
}

function normalize(b: z.output<typeof BeadInputSchema>): Bead {
  const dependencies: Dependency[] = [];
  const seen = new Set<string>();
  const push = (depends_on_id: string, type: Dependency['type']): void => {
    const key = `${type}\u0000${depends_on_id}`;
    if (seen.has(key)) return;
    seen.add(key);
    dependencies.push({ issue_id: b.id, depends_on_id, type });
  };
  for (const id of b.dependsOn ?? []) push(id, 'blocks');
  for (const dep of b.dependencies ?? []) push(dep.depends_on_id, dep.type);
  return {
    id: b.id,
    title: b.title,
    ...(b.description === undefined ? {} : { description: b.description }),
    priority: b.priority as Priority,
    labels: b.labels ?? [],
    workflowId: b.workflowId ?? b.id,
    input: b.input,
    timeoutMs: b.timeoutMs,
    maxAttempts: b.maxAttempts,
    dependencies,
  };
}
