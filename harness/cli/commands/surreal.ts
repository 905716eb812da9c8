/**
 * `oya surreal`: runs the embedded SurrealDB server (the real engine behind SurrealDB's
 * WebSocket RPC and HTTP API) until SIGINT/SIGTERM.
 */
import type { CliCommand } from '../command.ts';
import { CliUsageError } from '../errors.ts';
import { parseFlags } from '../flags.ts';
import { startSurrealServer } from '../../env/surreal/server.ts';

const HELP = `Usage: oya surreal [--bind HOST:PORT] [--path DIR|memory] [--user USER --pass PASS]

Runs the embedded SurrealDB server: the SurrealDB engine from @surrealdb/node served over
SurrealDB's WebSocket RPC (ws://HOST:PORT/rpc, CBOR) and its HTTP API: POST /rpc (CBOR or
JSON), /sql, /signin, /signup, /import, GET|POST /export, GET /health, /status, /version.

  --bind HOST:PORT   address to listen on; port 0 picks a free one   (default 127.0.0.1:8000)
  --path DIR|memory  SurrealKV data directory, or memory              (default memory)
  --user USER        root user; with --pass, clients must sign in     (default none: no auth)
  --pass PASS        root password
  -h, --help         this text

Prints one line "oya surreal listening on ws://HOST:PORT/rpc path=… pid=…" when ready.
SIGINT/SIGTERM close connections, drain requests, free the datastore and exit 0.

Examples:
  oya surreal --bind 127.0.0.1:8000 --path ./data/db --user root --pass root
  oya surreal --bind 127.0.0.1:0 --path memory`;

/** Parsed `oya surreal` flags. */
export interface SurrealCommandOptions {
  host: string;
  port: number;
  path: string;
  user?: string;
  pass?: string;
}

/** Parses argv (strict); throws CliUsageError on unknown flags or bad values. */
export function parseSurrealArgs(argv: string[]): SurrealCommandOptions | 'help' {
  const { values } = parseFlags('surreal', argv, {
    bind: { type: 'string', default: '127.0.0.1:8000' },
    path: { type: 'string', default: 'memory' },
    user: { type: 'string' },
    pass: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return 'help';
  const bind = values.bind;
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(bind);
  if (!match || Number(match[2]) > 65535) throw new CliUsageError(`--bind must be HOST:PORT, got "${bind}"`, { flag: 'bind' });
  if ((values.user === undefined) !== (values.pass === undefined)) {
    throw new CliUsageError('--user and --pass go together', { flag: values.user === undefined ? 'user' : 'pass' });
  }
  const path = values.path;
  if (path === '') throw new CliUsageError('--path must be a directory or "memory"', { flag: 'path' });
  return {
    host: match[1]!.replace(/^\[|\]$/g, ''),
    port: Number(match[2]),
    path,
    ...(values.user !== undefined ? { user: values.user, pass: values.pass } : {}),
  };
}

export const command: CliCommand = {
  name: 'surreal',
  summary: 'Run the embedded SurrealDB server (real engine, WebSocket and HTTP RPC at /rpc)',
  help: HELP,
  async run(argv) {
    const parsed = parseSurrealArgs(argv);
    if (parsed === 'help') {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    // This process exits after close(): no need to wait for the engine's LOCK (the exit drops it).
    const server = await startSurrealServer({ ...parsed, lockReleaseTimeoutMs: 250, log: (line) => process.stderr.write(`oya surreal: ${line}\n`) });
    process.stdout.write(`oya surreal listening on ${server.url} path=${server.datastore} pid=${process.pid}\n`);
    let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      onSignal = resolve;
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await server.close();
    process.stdout.write(`oya surreal stopped (${signal})\n`);
    return 0;
  },
};
