/**
 * The run journal: one JSON file per scenario run, `reports/<kind>/<scenario>.json`. It holds
 * everything needed to understand and re-judge a run without re-running it (chaostoolkit's
 * journal): a copy of the scenario, profile, seed, versions, git sha, times, the fault timeline,
 * metrics with encoded HDR histograms (merge and compare runs from them), every check result
 * with its witnesses, the gate verdicts, the verdict, and the operation history.
 * HTML reports are built from this file only.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The journal format version; bump on an incompatible change. */
export const JOURNAL_VERSION = 1;

/**
 * The verdict of a run, one line each:
 * - pass:  every gate passed.
 * - fail:  the run completed and at least one gate failed (exit 1).
 * - error: the run could not be judged: invalid scenario, harness or environment failure (exit 2).
 */
export type Verdict = 'pass' | 'fail' | 'error';

/** Versions of what ran. */
export interface Versions {
  node: string;
  oya: string;
  /** The `surrealdb` SDK, the embedded engine package (`@surrealdb/node`), and the server's own `GET /version` when a run reached one. */
  surrealdb: { sdk: string; engine: string; server?: string };
}

/**
 * The run journal: everything one scenario run recorded, written as JSON under reports/ and the
 * source of every report (HTML, JUnit, terminal, trends). Named apart from the orchestrator's own
 * event journal (system/runtime/journal.ts). Sections after `verdict` may be absent when the run
 * errored before them.
 */
export interface RunJournal {
  version: typeof JOURNAL_VERSION;
  /** `source` is the file's text as written; `resolved` the profile-merged, defaulted scenario that ran. */
  scenario: { name: string; kind: string; file: string; description?: string; source?: string; resolved: unknown };
  profile: string | undefined;
  seed: number;
  /**
   * Where it ran, when the caller knows (the lanes record it; run.ts leaves it to them). The
   * containers lane names its runs `<name>.containers`, so both journals of a scenario coexist.
   */
  environment?: { kind: 'local' | 'containers' };
  versions: Versions;
  /** null outside a git checkout. */
  gitSha: string | null;
  host: { platform: string; arch: string; cpus: number };
  startedAt: string;
  endedAt: string;
  /**
   * The scenario clock's zero (the first arrival, after set-up). Every offset in the journal —
   * fault `plannedAt/startedAt/healedAt`, metric windows, memory `t`, history `at`/`intendedAt` —
   * is ms from this instant.
   */
  zeroAt: string;
  durationMs: number;
  verdict: Verdict;
  /** For `error`: what went wrong (code and message). */
  error?: { code?: string; message: string; phase?: string };
  /** Each phase and how long it took (ms). */
  phases: { name: string; ms: number; error?: string }[];
  faults: unknown[];
  metrics?: unknown;
  checks?: unknown;
  gates: { kind: string; name: string; pass: boolean; expected: string; actual: string }[];
  drain?: unknown;
  /** Waits whose deadline passed and operations the harness gave up sending (runner/waits.ts), each with why. */
  waits?: { what: string; at: number; message: string }[];
  /** Per bead the workload submitted: acknowledged / refused (`failed`) / unknown, how the beads ended, and the submit attempts (runner/submissions.ts). */
  submissions?: {
    submitted: number;
    acknowledged: number;
    /** Beads whose every submit attempt was definitely refused (not beads that ran and failed: endedFailed). */
    failed: number;
    unknown: number;
    completed: number;
    endedFailed?: number;
    endedCancelled?: number;
    attempts: number;
  };
  /** The checks ran on what could be read after the run broke (verdict `error`): they judge a cut-short run. */
  salvaged?: boolean;
  workload?: unknown;
  /** Leak runs: the leak watch's samples (orchestrator RSS/heap, worker RSS), snapshots, memlab clusters with retainer traces, leak gates. */
  leak?: unknown;
  /** Every orchestrator process the run started, and how each one ended. */
  orchestrator?: { pids: number[]; exits: unknown[] };
  /** Failures during teardown (never hidden). */
  teardown: { step: string; error: string }[];
  /** Files next to the journal (the orchestrator log). */
  artifacts: Record<string, string>;
  history?: unknown;
}

/** Where the journal of a scenario goes. */
export function journalPath(reportDir: string, kind: string, name: string): string {
  return join(reportDir, kind, `${name}.json`);
}

/** Writes the journal atomically (temp file + rename), creating the directory. Returns its path. */
export async function writeJournal(reportDir: string, journal: RunJournal): Promise<string> {
  const path = journalPath(reportDir, journal.scenario.kind, journal.scenario.name);
  await mkdir(join(reportDir, journal.scenario.kind), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(journal, null, 2) + '\n');
  await rename(tmp, path);
  return path;
}

let cachedVersions: Versions | undefined;

/** Versions of node, oya and SurrealDB packages (read once). */
export function versions(): Versions {
  if (cachedVersions) return cachedVersions;
  const pkgVersion = (name: string): string => {
    try {
      // Read the file: ESM-only packages (@surrealdb/node) cannot be require.resolve'd.
      return (JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  let oya = 'unknown';
  try {
    oya = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    // not in a checkout
  }
  cachedVersions = { node: process.version, oya, surrealdb: { sdk: pkgVersion('surrealdb'), engine: pkgVersion('@surrealdb/node') } };
  return cachedVersions;
}

/** The checkout's commit (`git rev-parse HEAD`), or undefined outside a git checkout. */
export function gitSha(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: new URL('../..', import.meta.url), stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}
