/**
 * Helpers shared by the runtime's integration tests: an HTTP client for the API, polling, the
 * side-effect records, and a spawned `oya start` child whose cleanup is registered at once.
 * Not a test file; nothing here is a stub — every helper talks to real processes and sockets.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSideEffects, type SideEffectRecord } from '../agent/side-effects.ts';
import type { ActorView, BeadView, EventView } from '../api/service.ts';

/** How a test starts the orchestrator: system/main.ts, the entry `npm start` runs (`node --import tsx system/main.ts`). */
export const ORCHESTRATOR_ARGV: readonly string[] = ['--import', 'tsx', fileURLToPath(new URL('../main.ts', import.meta.url))];

/** Cleanups run in reverse order of registration (register right after creating each resource). */
export class Cleanups {
  readonly #steps: (() => unknown)[] = [];
  add(step: () => unknown): void {
    this.#steps.push(step);
  }
  async run(): Promise<void> {
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step();
      } catch {
        // Keep cleaning: one failed cleanup must not leak the rest.
      }
    }
  }
}

/** A fresh temp dir, removed by `cleanups`. */
export async function tempDir(cleanups: Cleanups, prefix = 'oya-runtime-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  cleanups.add(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** A bead as GET /beads/:id answers it (beads.ts toView). */
export interface BeadReply extends BeadView {
  lastCheckpointStep: number | null;
  /** The agent's result (system/agent), typed as present: the tests read it from succeeded beads. */
  result: { executedSteps: number[]; [key: string]: unknown };
  blockedBy?: string;
  workerId?: string | null;
}

/** One event as GET /events pages it; `data` holds the fields the tests read, typed as present (each event type has some). */
export interface EventReply extends EventView {
  idempotencyKey: string;
  data: { step: number; fromStep: number; attempt: number; reason: string; [key: string]: unknown };
}

/** A component of GET /health, with the fields the tests read (the outbox has a size). */
export interface ComponentReply {
  status: string;
  size: number;
  [key: string]: unknown;
}

/**
 * A JSON answer as the tests read it: the fields of every route's body (system/api), each typed as present. A test reads
 * the ones its route answers with, after asserting the status; an absent one reads as undefined and fails the
 * expectation on it, as it would in untyped JSON. A body that is not JSON (metrics) is the text.
 */
export interface ReplyBody {
  error: { code: string; message: string; details: Record<string, unknown> };
  bead: BeadReply;
  /** What a submit created: at least one bead. */
  beads: [BeadReply, ...BeadReply[]];
  workflowId: string | undefined;
  events: EventReply[];
  next: number | undefined;
  accepting: boolean;
  components: { db: ComponentReply; outbox: ComponentReply; [name: string]: ComponentReply | undefined };
  actors: ActorView[];
  killed: string[];
  /** A worker's session (system/worker, POST /session). */
  id: string;
}

export interface HttpReply {
  status: number;
  headers: Headers;
  body: ReplyBody;
  /** The body as it came. */
  text: string;
}

/** One JSON request to the API. */
export async function http(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpReply> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${base}${path}`, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON (metrics): keep the text.
  }
  // Typed as ReplyBody also when it is text or absent: tests assert the status before they read it.
  return { status: res.status, headers: res.headers, body: parsed as ReplyBody, text };
}

/** Polls `probe` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  // Typed as what probes throw; String() prints any value the same way.
  let last: Error | undefined;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err as Error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until every listed bead has a terminal status; returns their views. */
export async function waitForBeads<const I extends string>(base: string, ids: readonly I[], timeoutMs = 60_000): Promise<Record<I, BeadReply>> {
  return waitFor(
    `beads ${ids.join(', ')} to finish`,
    async () => {
      const views = {} as Record<I, BeadReply>;
      for (const id of ids) {
        const reply = await http(base, 'GET', `/beads/${id}`);
        if (reply.status !== 200 || !['succeeded', 'failed', 'cancelled'].includes(reply.body.bead.status)) return undefined;
        views[id] = reply.body.bead;
      }
      return views;
    },
    timeoutMs,
  );
}

/** Every event of the log, through GET /events (paged). */
export async function allEvents(base: string, stream?: string): Promise<EventReply[]> {
  const events: EventReply[] = [];
  let from = 0;
  for (;;) {
    const q = new URLSearchParams({ from: String(from), limit: '1000', ...(stream === undefined ? {} : { stream }) });
    const reply = await http(base, 'GET', `/events?${q.toString()}`);
    if (reply.status !== 200) throw new Error(`GET /events → ${reply.status}`);
    events.push(...reply.body.events);
    if (reply.body.next === undefined) return events;
    from = reply.body.next;
  }
}

/** Side-effect applications of `beadId` (all of them, if no id), from the data dir. */
export async function sideEffects(dataDir: string, beadId?: string): Promise<SideEffectRecord[]> {
  const all = await readSideEffects(join(dataDir, 'side-effects'));
  return beadId === undefined ? all : all.filter((r) => r.beadId === beadId);
}

/** A spawned `oya start`. */
export interface OyaChild {
  child: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `node --import tsx system/main.ts <args>` and waits for its URL line. Killed (SIGKILL) by `cleanups`. */
export async function spawnOya(cleanups: Cleanups, args: string[], env: Record<string, string> = {}): Promise<OyaChild> {
  const child = spawn(process.execPath, [...ORCHESTRATOR_ARGV, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  cleanups.add(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-200_000)));
  const url = await Promise.race([
    waitFor('oya start to print its URL', () => /oya listening on (\S+)/.exec(out)?.[1], 60_000),
    exited.then(({ code, signal }) => {
      throw new Error(`oya start exited early (code ${code}, signal ${signal}):\n${err.slice(-3000)}`);
    }),
  ]);
  return { child, url, stdout: () => out, stderr: () => err, exited };
}

/** Counts of each key among side-effect records: keys applied more than `allowed` times. */
export function doubleApplied(records: SideEffectRecord[], allowed = 1): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.key, (counts.get(r.key) ?? 0) + 1);
  return new Map([...counts].filter(([, n]) => n > allowed));
}

/** Where each bead event may be applied and where it leads (the event vocabulary, system/events/README.md). */
const LEGAL: Record<string, { from: string[]; to?: string }> = {
  BeadSubmitted: { from: ['none'], to: 'submitted' },
  BeadQueued: { from: ['submitted', 'retrying'], to: 'queued' },
  BeadStarted: { from: ['queued'], to: 'running' },
  StepCheckpointed: { from: ['running'] },
  BeadRetryScheduled: { from: ['running'], to: 'retrying' },
  BeadWorkerLost: { from: ['running'], to: 'retrying' },
  BeadInterrupted: { from: ['running'], to: 'retrying' },
  BeadCancelRequested: { from: ['submitted', 'queued', 'running', 'retrying'] },
  BeadSucceeded: { from: ['running'], to: 'succeeded' },
  BeadFailed: { from: ['submitted', 'queued', 'running', 'retrying'], to: 'failed' },
  BeadCancelled: { from: ['submitted', 'queued', 'running', 'retrying'], to: 'cancelled' },
};

/**
 * Every illegal step of the bead streams in `events` (read in log order: GET /events or a DB
 * read), as `<stream> seq <n>: <type> in <status>`. A strict state machine, unlike the forgiving
 * projection, so a test can assert the log itself is legal.
 */
export function illegalTransitions(events: Array<{ stream: string; seq: number; type: string }>): string[] {
  const status = new Map<string, string>();
  const found: string[] = [];
  for (const e of events) {
    if (!e.stream.startsWith('bead:')) continue;
    const now = status.get(e.stream) ?? 'none';
    const rule = LEGAL[e.type];
    if (rule === undefined || !rule.from.includes(now)) {
      found.push(`${e.stream} seq ${e.seq}: ${e.type} in ${now}`);
      continue;
    }
    if (rule.to !== undefined) status.set(e.stream, rule.to);
  }
  return found;
}
