/**
 * The local images accept the command lines of the official images, so one container plan runs
 * either (`surreal start … rocksdb:/data/db`, `toxiproxy -host=0.0.0.0 -seed=N`). These pure
 * functions translate them into `oya surreal` / `oya toxiproxy` options; anything they do not
 * know is refused with HARN_CLI_USAGE rather than silently dropped.
 */
import { ImagesArgsError } from './errors.ts';

/** What the SurrealDB entry point starts (options of spawnSurrealServer). */
export interface SurrealStartArgs {
  host: string;
  port: number;
  /** 'memory', or the datastore URL of a data directory (`rocksdb://DIR`, `surrealkv://DIR`). */
  path: string;
  user?: string;
  pass?: string;
}

/** Splits `--flag=value` / `-f value` pairs; returns [name without dashes, value|undefined, next index]. */
function takeFlag(argv: string[], i: number, takesValue: (name: string) => boolean): [string, string | undefined, number] {
  const arg = argv[i]!;
  const body = arg.replace(/^--?/, '');
  const eq = body.indexOf('=');
  if (eq >= 0) return [body.slice(0, eq), body.slice(eq + 1), i + 1];
  if (!takesValue(body)) return [body, undefined, i + 1];
  if (i + 1 >= argv.length) throw new ImagesArgsError(`${arg} needs a value`, { flag: body });
  return [body, argv[i + 1], i + 2];
}

function hostPort(bind: string): { host: string; port: number } {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(bind);
  if (!match || Number(match[2]) > 65535) throw new ImagesArgsError(`--bind must be HOST:PORT, got "${bind}"`, { flag: 'bind' });
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}

/** Translates `surreal start [flags] [memory|rocksdb:PATH|surrealkv:PATH]` (the official image's CMD). */
export function parseSurrealStart(argv: string[]): SurrealStartArgs {
  if (argv[0] !== 'start') throw new ImagesArgsError(`only "start" is supported, got "${argv[0] ?? ''}"`, { argv });
  const alias: Record<string, string> = { u: 'user', username: 'user', p: 'pass', password: 'pass', b: 'bind', l: 'log' };
  const valued = new Set(['user', 'pass', 'bind', 'log']);
  const out: Partial<SurrealStartArgs> & { host: string; port: number; path: string } = { host: '127.0.0.1', port: 8000, path: 'memory' };
  let unauthenticated = false;
  for (let i = 1; i < argv.length;) {
    const arg = argv[i]!;
    if (!arg.startsWith('-')) {
      out.path = storePath(arg);
      i++;
      continue;
    }
    const [raw, value, next] = takeFlag(argv, i, (name) => valued.has(alias[name] ?? name));
    const name = alias[raw] ?? raw;
    i = next;
    if (name === 'user') out.user = value;
    else if (name === 'pass') out.pass = value;
    else if (name === 'bind') Object.assign(out, hostPort(value!));
    else if (name === 'log')
      continue; // the embedded server has one log level
    else if (name === 'unauthenticated') unauthenticated = true;
    else throw new ImagesArgsError(`unsupported surreal start flag "${argv[i - (value === undefined ? 1 : 2)] ?? raw}"`, { flag: raw });
  }
  if ((out.user === undefined) !== (out.pass === undefined)) throw new ImagesArgsError('--user and --pass go together', { argv });
  if (unauthenticated && out.user !== undefined) throw new ImagesArgsError('--unauthenticated contradicts --user/--pass', { argv });
  return out;
}

/**
 * The engine the command line names is the engine that opens: `surrealkv:PATH` is surrealkv even
 * though it loses committed events past its first memtable rotation (system/events/README.md
 * "Engine") — the container plan asks for `rocksdb:`, and a user who asks for surrealkv gets it.
 */
function storePath(store: string): string {
  if (store === 'memory' || store === 'mem://') return 'memory';
  const match = /^(rocksdb|surrealkv):(?:\/\/)?(.+)$/.exec(store);
  if (!match) throw new ImagesArgsError(`unsupported datastore "${store}": the embedded engine serves memory, rocksdb:PATH and surrealkv:PATH`, { store });
  return `${match[1]}://${match[2]}`;
}

/** Translates Go-style `toxiproxy-server` flags (`-host=H -port=P -seed=N -config=F`) into `oya toxiproxy` argv. */
export function toxiproxyArgv(argv: string[]): string[] {
  const known = new Set(['host', 'port', 'seed', 'config']);
  const out: string[] = [];
  for (let i = 0; i < argv.length;) {
    const [name, value, next] = takeFlag(argv, i, (n) => known.has(n));
    if (!known.has(name) || !argv[i]!.startsWith('-')) throw new ImagesArgsError(`unsupported toxiproxy flag "${argv[i]}"`, { flag: argv[i] });
    out.push(`--${name}`, value!);
    i = next;
  }
  return out;
}
