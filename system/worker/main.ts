/**
 * Entry of a worker process, run as the CommonJS bundle bundle.ts builds (or through tsx with
 * OYA_WORKER_TS=1), spawned by process.ts with an IPC channel.
 *
 * Hosts one simulated agent behind the HTTP API in server.ts on 127.0.0.1:<random port>, reports
 * `ready {port}` to its parent (IPC, or a JSON line on stdout when started without IPC), then a
 * heartbeat every WORKER_HEARTBEAT_INTERVAL_MS.
 *
 * No orphans: the worker exits (WORKER_ORPHAN_EXIT_CODE) as soon as its parent is gone — the IPC
 * channel disconnects, or `process.ppid` changes (re-parented to init/a subreaper), whichever
 * is noticed first. Both, because a parent started without IPC has no channel to lose.
 *
 * SIGTERM/SIGINT: abort runs, end streams, close the server, exit 0.
 */
import { createSideEffectLog } from '../agent/side-effects.ts';
import { startWorkerServer, type WorkerServerHandle } from './server.ts';
import { WORKER_CRASH_EXIT_CODE, WORKER_ENV, WORKER_HEARTBEAT_INTERVAL_MS, WORKER_ORPHAN_EXIT_CODE, type WorkerToParentMessage } from './protocol.ts';

/** How often the worker checks whether its parent changed. */
const PARENT_POLL_INTERVAL_MS = 250;
/** A graceful close that takes longer than this is cut short (the parent escalates at 5 s anyway). */
const GRACEFUL_CLOSE_LIMIT_MS = 4000;

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const workerId = flag('--id') ?? process.env[WORKER_ENV.id] ?? `worker-${process.pid}`;
const sideEffectsDir = flag('--side-effects-dir') ?? process.env[WORKER_ENV.sideEffectsDir];
if (!sideEffectsDir) {
  process.stderr.write(`worker ${workerId}: ${WORKER_ENV.sideEffectsDir} (or --side-effects-dir) is required\n`);
  process.exit(2);
}
if (process.env[WORKER_ENV.crashOnStart] === '1') process.exit(WORKER_CRASH_EXIT_CODE);

// The parent names itself: reading process.ppid here would be too late when the parent died while
// this process was still loading (it would already be re-parented, and 'disconnect' already fired
// before the listener below existed) — such a worker would live on as an orphan.
const parentPid = Number(process.env[WORKER_ENV.parentPid]) || process.ppid;
function leaveIfOrphaned(): void {
  if (process.ppid !== parentPid) process.exit(WORKER_ORPHAN_EXIT_CODE);
  if (process.send !== undefined && !process.connected) process.exit(WORKER_ORPHAN_EXIT_CODE);
}
leaveIfOrphaned();
process.on('disconnect', () => process.exit(WORKER_ORPHAN_EXIT_CODE));
setInterval(leaveIfOrphaned, PARENT_POLL_INTERVAL_MS).unref();

function send(message: WorkerToParentMessage): void {
  if (process.send && process.connected) {
    process.send(message, undefined, {}, () => {}); // a send racing the parent's death is not an error
  } else if (message.kind === 'oya.worker.ready') {
    process.stdout.write(`${JSON.stringify(message)}\n`);
  }
}

// Signal handlers go in before `ready` is sent: the parent may SIGTERM the moment it reads it.
let server: WorkerServerHandle | undefined;
let shuttingDown = false;
function shutdown(): void {
  if (shuttingDown) return;
  shuttingDown = true;
  setTimeout(() => process.exit(0), GRACEFUL_CLOSE_LIMIT_MS).unref();
  if (!server) process.exit(0);
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
}
if (process.env[WORKER_ENV.ignoreSigterm] === '1') {
  process.on('SIGTERM', () => {}); // TEST ONLY: a worker stuck in a handler, so stop() must SIGKILL.
} else {
  process.on('SIGTERM', shutdown);
}
process.on('SIGINT', shutdown);

// No top-level await: the bundle is CommonJS (bundle.ts), which spares each worker the ESM
// loader's ~2 MiB of RSS.
void startWorkerServer({
  workerId,
  sideEffects: createSideEffectLog(sideEffectsDir),
  // `crashAt`: die hard, mid-step, as a crashing agent server: no graceful close, no session end event.
  onCrash: () => process.exit(WORKER_CRASH_EXIT_CODE),
}).then(
  (started) => {
    server = started;
    send({ kind: 'oya.worker.ready', workerId, pid: process.pid, port: started.port });
    if (process.env[WORKER_ENV.muteHeartbeats] !== '1') {
      // Not unref'd: together with the server this keeps the worker alive while its parent lives.
      setInterval(() => {
        send({ kind: 'oya.worker.heartbeat', workerId, pid: process.pid, at: Date.now(), sessions: started.sessions.progress() });
      }, WORKER_HEARTBEAT_INTERVAL_MS);
    }
  },
  (err: unknown) => {
    process.stderr.write(`worker ${workerId}: could not start: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
