/**
 * Request schemas of the REST API (zod 4). Every object is strict: an unknown key is an error
 * that names its path, because a misspelt `dependsOn` silently ignored would run beads too early.
 *
 * Beads and workflows use the scheduler's schemas (system/scheduler/bead.ts) with one change:
 * `id` is optional on both, and the service assigns one when it is absent (such a request is
 * retry-safe only with an Idempotency-Key). DAG rules inside a submitted workflow (duplicate id,
 * cycle) are checked here with the scheduler's `validateDag`; dependencies on beads outside the
 * workflow can only be checked by the service, which knows which beads exist.
 */
import { z } from 'zod';
import { BeadIdSchema, BeadInputSchema as SchedulerBeadSchema, WorkflowInputSchema as SchedulerWorkflowSchema, validateDag } from '../scheduler/index.ts';
import { InvalidBodyError, InvalidQueryError } from './errors.ts';

type WithOptionalId<T> = Omit<T, 'id'> & { id?: string };
type SchedulerBead = z.output<typeof SchedulerBeadSchema>;
type SchedulerWorkflow = z.output<typeof SchedulerWorkflowSchema>;

/** `POST /beads` body of a single bead, validated (defaults applied). */
export type BeadInput = WithOptionalId<SchedulerBead>;
/** `POST /beads` body `{ workflow }`, validated (defaults applied). */
export type WorkflowInput = WithOptionalId<Omit<SchedulerWorkflow, 'beads'>> & { beads: BeadInput[] };

// safeExtend keeps the scheduler's refinements (no self-dependency, issue_id = bead id), but its
// typing forbids widening `id` to optional (it types such a shape as never). So it is called
// through a signature that takes any shape, and the results are typed by hand (BeadInput and
// WorkflowInput above say what the widened shapes are).
type ExtendAnyShape = (shape: z.ZodRawShape) => z.ZodType;

/** One bead to run: the scheduler's bead schema with an optional `id`. */
export const BeadInputSchema = (SchedulerBeadSchema.safeExtend.bind(SchedulerBeadSchema) as ExtendAnyShape)({
  id: BeadIdSchema.optional(),
}) as z.ZodType<BeadInput>;

/** A workflow: a DAG of beads submitted together; `id` optional. */
export const WorkflowInputSchema = (SchedulerWorkflowSchema.safeExtend.bind(SchedulerWorkflowSchema) as ExtendAnyShape)({
  id: BeadIdSchema.optional(),
  beads: z.array(BeadInputSchema).min(1).max(10_000),
}) as z.ZodType<WorkflowInput>;

/** A validated `POST /beads` request: one bead or one workflow. */
export type SubmitRequest = { kind: 'bead'; bead: BeadInput } | { kind: 'workflow'; workflow: WorkflowInput };

const WorkflowBodySchema = z.strictObject({ workflow: WorkflowInputSchema });

/** `POST /beads/:id/cancel` body (optional). */
export const CancelBodySchema = z.strictObject({ reason: z.string().max(1000).optional() });

/** `POST /admin/actors/kill`: one actor by path, or `random` actors chosen with `seed`. */
export const KillBodySchema = z.union([
  z.strictObject({ path: z.string().min(1).max(500) }),
  z.strictObject({ random: z.int().min(1).max(1000), seed: z.int().optional() }),
]);

/** `POST /admin/reconciler`. */
export const ReconcilerBodySchema = z.strictObject({ paused: z.boolean() });

const intParam = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,15}$/, 'must be a non-negative integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** `GET /events?stream=&from=&limit=`: `from` is an exclusive cursor; `limit` defaults to 100. */
/** Longest `GET /events?wait=` (ms): well under the server's whole-request deadline (30 s by default). */
export const MAX_EVENTS_WAIT_MS = 25_000;

export const EventsQuerySchema = z.strictObject({
  stream: z.string().min(1).max(300).optional(),
  from: intParam(0, Number.MAX_SAFE_INTEGER).optional(),
  limit: intParam(1, 1000).default(100),
  /** Long-poll: when nothing is after `from`, wait up to this many ms for the next commit. */
  wait: intParam(0, MAX_EVENTS_WAIT_MS).default(0),
});

/**
 * Validates a parsed JSON body of `POST /beads`. A body with a `workflow` key is a workflow,
 * anything else a bead: deciding first gives precise field paths instead of a union's "no match".
 */
export function parseSubmitRequest(body: unknown): SubmitRequest {
  if (typeof body === 'object' && body !== null && !Array.isArray(body) && 'workflow' in body) {
    const workflow = parseBody(WorkflowBodySchema, body).workflow;
    checkWorkflowDag(workflow);
    return { kind: 'workflow', workflow };
  }
  return { kind: 'bead', bead: parseBody(BeadInputSchema, body) };
}

/**
 * Throws the scheduler's ORCH_DAG_DUPLICATE_ID / ORCH_DAG_CYCLE (400) for a workflow that can
 * never run. Ids outside the workflow count as known here: only the service can tell whether they
 * exist. Beads without an id get placeholders that no real id can equal (`#` is not allowed).
 */
function checkWorkflowDag(workflow: WorkflowInput): void {
  const nodes = workflow.beads.map((bead, i) => ({
    id: bead.id ?? `#${i}`,
    dependsOn: [...(bead.dependsOn ?? []), ...(bead.dependencies ?? []).filter((d) => d.type === 'blocks').map((d) => d.depends_on_id)],
  }));
  const inWorkflow = new Set(nodes.map((n) => n.id));
  validateDag(nodes, (id) => !inWorkflow.has(id));
}

/** Parses a body with `schema`, throwing InvalidBodyError (400) with every field path. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body);
  if (!result.success) throw new InvalidBodyError(toIssues(result.error));
  return result.data;
}

/** Parses query parameters (a repeated parameter is an error: which one would we honour?). */
export function parseQuery<T extends z.ZodType>(schema: T, params: URLSearchParams): z.output<T> {
  const raw: Record<string, string> = {};
  const repeated: Array<{ path: string; message: string }> = [];
  for (const [key, value] of params) {
    if (key in raw) repeated.push({ path: key, message: 'given more than once' });
    raw[key] = value;
  }
  if (repeated.length > 0) throw new InvalidQueryError(repeated);
  const result = schema.safeParse(raw);
  if (!result.success) throw new InvalidQueryError(toIssues(result.error));
  return result.data;
}

/** zod issues → `[{ path: 'workflow.beads[2].priority', message }]`. */
function toIssues(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues
    .map((issue) => {
      // Strict objects report unknown keys on the parent; name each key so the path is complete.
      const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
      return keys.map((key) => ({
        path: formatPath(key === undefined ? issue.path : [...issue.path, key]),
        message: key === undefined ? issue.message : 'unknown field',
      }));
    })
    .flat();
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
