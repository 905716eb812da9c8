/**
 * Restart time against history: how long `oya start` takes after a SIGKILL to be ready — GET
 * /health answers 200 AND the bead that was in flight has been resumed (its next attempt started)
 * — with N finished beads in the log.
 *
 *   npx tsx system/bench/restart.ts 1000 100000
 *
 * Per N: a fresh data dir; N finished beads written straight through the event store
 * (history.ts), then counted back in a fresh process (a log the engine lost events of is
 * reported and skipped: system/bench/README.md); one `oya start`
 * that reads that history, writes its snapshot and starts a long bead; SIGKILL mid-bead; then the
 * timed restart (from spawn to ready-and-resumed), with the snapshot and, for comparison,
 * without it (deleted: the whole log is read, as before snapshots). Prints one JSON line per N.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { historyChild, type LogScan, type WriteReport } from './history.ts';

/** The orchestrator's own entry, as `npm start` runs it. */
const ORCHESTRATOR = ['--import', 'tsx', fileURLToPath(new URL('../main.ts', import.meta.url))];

/** Every `oya start` this script spawned: SIGKILLed when the script exits, however it exits. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const counts = process.argv.slice(2).map(Number);
const phase = (what: string): boolean => process.stderr.write(`[restart-bench] ${what}\n`);
if (counts.length === 0 || counts.some((n) => !Number.isInteger(n) || n < 0)) {
  process.stderr.write('usage: tsx system/bench/restart.ts <finished beads>...\n');
  process.exit(2);
}

for (const n of counts) {
  const dataDir = await mkdtemp(join(tmpdir(), 'oya-restart-bench-'));
  try {
    // Written and read back by child processes (history.ts): the embedded engine keeps its lock
    // on the data dir until its process exits, and `oya start` must open it after.
    const t0 = performance.now();
    const written = await historyChild<WriteReport>(['write', dataDir, String(n)]);
    const writeMs = performance.now() - t0;
    phase(`history of ${n} beads written`);
    // Reopened in a fresh process, the log must hold every event the writer had committed. It does
    // not always (@surrealdb/node 3.0.3 surrealkv, system/bench/README.md): then the start-up below
    // would fail on a bead whose outcome vanished, so say what happened instead.
    const reopened = await historyChild<LogScan>(['scan', dataDir]);
    if (reopened.events !== written.beforeClose.events) {
      const lost = { eventsBeforeClose: written.beforeClose.events, eventsAfterReopen: reopened.events, gaps: reopened.gaps };
      console.log(JSON.stringify({ finishedBeads: n, historyWriteMs: Math.round(writeMs), ...lost }));
      phase(`the log lost ${written.beforeClose.events - reopened.events} committed events when it was reopened (storage engine); no restart measured`);
      process.exitCode = 1;
      continue;
    }
    // First start: reads the whole history once, snapshots it, starts the long bead.
    const first = await startOya(dataDir);
    const post = await fetch(`${first.url}/beads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'in-flight', title: 'long', input: { agent: { steps: 100000, stepTime: '50ms' } } }),
    });
    if (post.status !== 201) throw new Error(`submit answered ${post.status}`);
    await until(async () => ((await bead(first.url, 'in-flight'))?.lastCheckpointStep ?? 0) >= 2, 120_000);
    phase('in-flight bead running');
    await until(() => existsSync(join(dataDir, 'projection-snapshot.json')), 60_000);
    await new Promise((r) => setTimeout(r, 6000)); // one more snapshot round after the bead started
    phase('first run snapshotted; SIGKILL');
    await kill(first.child);

    const withSnapshot = await timedRestart(dataDir, 2);
    await rm(join(dataDir, 'projection-snapshot.json'), { force: true });
    const withoutSnapshot = await timedRestart(dataDir, 3);
    console.log(JSON.stringify({ finishedBeads: n, historyWriteMs: Math.round(writeMs), restartReadyMs: { withSnapshot, withoutSnapshot } }));
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

interface Oya {
  child: ChildProcess;
  url: string;
}

async function startOya(dataDir: string): Promise<Oya> {
  const args = [...ORCHESTRATOR, '--port', '0', '--data-dir', dataDir, '--workers', '4', '--log-level', 'warn'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const url = await until(() => /oya listening on (\S+)/.exec(out)?.[1], 300_000, child);
  return { child, url };
}

/** ms from spawn to: /health 200 and the in-flight bead's attempt `attempt` running. */
async function timedRestart(dataDir: string, attempt: number): Promise<number> {
  const t0 = performance.now();
  const oya = await startOya(dataDir);
  await until(
    async () => {
      const health = await fetch(`${oya.url}/health`).catch(() => undefined);
      const view = await bead(oya.url, 'in-flight');
      // Resumed: its next attempt started (BeadStarted folded), whatever it did since.
      return health?.status === 200 && (view?.attempts ?? 0) >= attempt;
    },
    300_000,
    oya.child,
  );
  const ms = Math.round(performance.now() - t0);
  await kill(oya.child);
  return ms;
}

/** The fields of GET /beads/:id this script reads (system/runtime/beads.ts toView). */
interface BeadSeen {
  attempts: number;
  lastCheckpointStep: number | null;
}

async function bead(url: string, id: string): Promise<BeadSeen | undefined> {
  const res = await fetch(`${url}/beads/${id}`).catch(() => undefined);
  return res?.status === 200 ? ((await res.json()) as { bead: BeadSeen }).bead : undefined;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/** Polls every 10 ms until `probe` gives a truthy value; fails after `timeoutMs` or when `child` exits. */
async function until<T>(probe: () => T | Promise<T>, timeoutMs: number, child?: ChildProcess): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (child && child.exitCode !== null) throw new Error(`oya start exited with ${child.exitCode}`);
    if (performance.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
