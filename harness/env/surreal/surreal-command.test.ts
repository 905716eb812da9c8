import { describe, expect, it } from 'vitest';
import { command, parseSurrealArgs } from '../../cli/commands/surreal.ts';

describe('oya surreal flags', () => {
  it('parses --bind, --path and credentials, with defaults', () => {
    expect(parseSurrealArgs([])).toEqual({ host: '127.0.0.1', port: 8000, path: 'memory' });
    expect(parseSurrealArgs(['--bind', '0.0.0.0:0', '--path', '/data/db', '--user', 'root', '--pass', 'root'])).toEqual({
      host: '0.0.0.0',
      port: 0,
      path: '/data/db',
      user: 'root',
      pass: 'root',
    });
    expect(parseSurrealArgs(['--bind', '[::1]:9000'])).toMatchObject({ host: '::1', port: 9000 });
    expect(parseSurrealArgs(['-h'])).toBe('help');
  });

  it('throws CliUsageError (HARN_CLI_USAGE) on unknown flags and bad values', async () => {
    for (const argv of [['--bogus'], ['--bind', '8000'], ['--bind', 'h:70000'], ['--user', 'root'], ['extra'], ['--path', '']]) {
      expect(() => parseSurrealArgs(argv), argv.join(' ')).toThrow(expect.objectContaining({ code: 'HARN_CLI_USAGE' }));
    }
    await expect(command.run(['--nope'])).rejects.toMatchObject({ code: 'HARN_CLI_USAGE' });
  });

  it('describes itself for oya --help', () => {
    expect(command.name).toBe('surreal');
    expect(command.help).toMatch(/--bind HOST:PORT/);
  });
});
