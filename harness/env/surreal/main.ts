/**
 * Process entry for a spawned embedded server: `tsx harness/env/surreal/main.ts [oya surreal flags]`.
 * spawnSurrealServer uses it so the harness does not depend on harness/cli/main.ts.
 */
import { command } from '../../cli/commands/surreal.ts';
import { EXIT_DATASTORE_POISONED, onDatastorePoisoned } from './engine-host.ts';

// After a disk-full the engine can stay poisoned (its LOCK never released in-process): exit with
// EX_TEMPFAIL so spawn.ts starts a fresh process on the same path and port. No graceful close:
// freeing a poisoned engine again can abort the process, and every commit was already fsync'd.
onDatastorePoisoned((datastore) => {
  process.stderr.write(`oya surreal: datastore ${datastore} poisoned after a disk-full; exiting ${EXIT_DATASTORE_POISONED} for a restart\n`);
  process.exit(EXIT_DATASTORE_POISONED);
});

// A spawned server must not outlive the harness that started it, even when the harness is
// SIGKILLed (no cleanup hook runs then). The parent names itself in OYA_PARENT_PID; when this
// process is re-parented, it stops itself the graceful way (SIGTERM → close → exit 0).
const parentPid = Number(process.env.OYA_PARENT_PID);
if (Number.isInteger(parentPid) && parentPid > 0) {
  setInterval(() => {
    if (process.ppid !== parentPid) process.kill(process.pid, 'SIGTERM');
  }, 250).unref();
}

try {
  process.exitCode = await command.run(process.argv.slice(2));
} catch (err) {
  const code = (err as { code?: string }).code;
  process.stderr.write(`oya surreal: ${code ? `${code} ` : ''}${(err as Error).message}\n`);
  process.exitCode = code === 'HARN_CLI_USAGE' ? 2 : 1;
}
// The freed engine's notification receiver stays pending (a native handle): without an explicit
// exit the process outlived close() until the spawner's SIGKILL grace (3 s per stopped server).
process.exit();
