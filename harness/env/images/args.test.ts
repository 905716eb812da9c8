import { describe, expect, it } from 'vitest';
import { parseSurrealStart, toxiproxyArgv } from './args.ts';

describe('image entry point arguments', () => {
  it("translates the container plan's surreal start line", () => {
    expect(parseSurrealStart(['start', '--user', 'root', '--pass', 'root', '--bind', '0.0.0.0:8000', 'rocksdb:/data/db'])).toEqual({
      host: '0.0.0.0',
      port: 8000,
      path: 'rocksdb:///data/db',
      user: 'root',
      pass: 'root',
    });
    expect(parseSurrealStart(['start', '-u=a', '-p', 'b', '--log', 'trace', '-b', '[::]:9000', 'surrealkv:///x'])).toEqual({
      host: '::',
      port: 9000,
      // The engine named is the engine that opens, surrealkv's loss bug and all.
      path: 'surrealkv:///x',
      user: 'a',
      pass: 'b',
    });
    expect(parseSurrealStart(['start', '--unauthenticated', 'memory'])).toEqual({ host: '127.0.0.1', port: 8000, path: 'memory' });
  });

  it('refuses what the embedded server cannot do, with HARN_CLI_USAGE', () => {
    for (const argv of [
      ['sql'],
      [],
      ['start', 'tikv://pd:2379'],
      ['start', 'file:/data'],
      ['start', '--strict'],
      ['start', '--user', 'x'],
      ['start', '--bind', 'nope'],
      ['start', '--user'],
      ['start', '--unauthenticated', '--user', 'a', '--pass', 'b'],
    ]) {
      expect(() => parseSurrealStart(argv), argv.join(' ')).toThrow(expect.objectContaining({ code: 'HARN_CLI_USAGE' }));
    }
  });

  it('translates Go-style toxiproxy-server flags', () => {
    expect(toxiproxyArgv(['-host=0.0.0.0', '-seed=7'])).toEqual(['--host', '0.0.0.0', '--seed', '7']);
    expect(toxiproxyArgv(['--port', '8474', '-config', '/p.json'])).toEqual(['--port', '8474', '--config', '/p.json']);
    for (const argv of [['-proxy-metrics'], ['host=1'], ['-port']]) {
      expect(() => toxiproxyArgv(argv), argv.join(' ')).toThrow(expect.objectContaining({ code: 'HARN_CLI_USAGE' }));
    }
  });
});
