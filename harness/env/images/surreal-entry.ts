/**
 * PID 1 of `oya/surrealdb:local`: takes the official image's command line (`start --user root
 * --pass root --bind 0.0.0.0:8000 rocksdb:/data/db`) and runs the embedded server as a child
 * through spawnSurrealServer, which starts a fresh process on the same port when a disk-full
 * poisoned the engine (the container stays up, as a real SurrealDB would). SIGTERM/SIGINT close
 * it gracefully; `docker kill` (SIGKILL of PID 1) takes the whole PID namespace down with it.
 */
import { spawnSurrealServer } from '../surreal/spawn.ts';
import { parseSurrealStart } from './args.ts';

try {
  const args = parseSurrealStart(process.argv.slice(2));
  const server = await spawnSurrealServer({
    ...args,
    implementation: 'embedded',
    startTimeoutMs: 120_000,
    onOutput: (line) => process.stdout.write(`${line}\n`),
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void server.close());
  const exit = await server.exited;
  process.exitCode = exit.code ?? (exit.signal === 'SIGTERM' || exit.signal === 'SIGINT' ? 0 : 1);
} catch (err) {
  const code = (err as { code?: string }).code;
  process.stderr.write(`oya/surrealdb: ${code ? `${code} ` : ''}${(err as Error).message}\n`);
  process.exitCode = code === 'HARN_CLI_USAGE' ? 2 : 1;
}
