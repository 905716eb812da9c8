/**
 * `oya toxiproxy` as a real process: starts with a --config file, serves traffic, and exits 0 on a
 * real SIGTERM with its proxies closed. Bad flags are checked in-process (they throw before any
 * server starts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { command } from '../../cli/commands/toxiproxy.ts';
import { cleanup, connectClient, defer, portOf, startUpstream, tryConnect } from './conformance/backend.ts';

afterEach(cleanup);

const COMMAND_PATH = fileURLToPath(new URL('../../cli/commands/toxiproxy.ts', import.meta.url));

function spawnCommand(args: string[]): { child: ChildProcess; firstLine: Promise<string>; exit: Promise<number | null> } {
  const script = `const { command } = await import(${JSON.stringify(COMMAND_PATH)}); process.exitCode = await command.run(process.argv.slice(1));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, '--', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  defer(() => child.exitCode === null && child.kill('SIGKILL'));
  let out = '';
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before listening: ${out}`)));
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, firstLine, exit };
}

describe('oya toxiproxy', () => {
  it('serves the proxies of --config and exits 0 on SIGTERM, closing them', async () => {
    const echo = await startUpstream('echo');
    const dir = mkdtempSync(join(tmpdir(), 'oya-toxiproxy-'));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    const config = join(dir, 'proxies.json');
    writeFileSync(config, JSON.stringify([{ name: 'echo', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` }]));
    const { child, firstLine, exit } = spawnCommand(['--port', '0', '--seed', '7', '--config', config]);
    const line = await firstLine;
    expect(line).toMatch(/^toxiproxy API listening on http:\/\/127\.0\.0\.1:\d+ \(seed 7\)$/);
    const url = line.split(' ')[4]!;
    const proxies = (await (await fetch(`${url}/proxies`)).json()) as Record<string, { listen: string; enabled: boolean }>;
    expect(proxies['echo']?.enabled).toBe(true);
    const port = portOf(proxies['echo']!.listen);
    const client = await connectClient(port);
    client.socket.write('through the child');
    await client.read(17);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(await client.ended(2000)).not.toBe('open');
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
  });

  it('rejects unknown flags and bad values with CliUsageError before starting', async () => {
    await expect(command.run(['--bogus'])).rejects.toMatchObject({ code: 'HARN_CLI_USAGE' });
    await expect(command.run(['--port', 'eighty'])).rejects.toMatchObject({ code: 'HARN_CLI_USAGE' });
    await expect(command.run(['--port', '70000'])).rejects.toMatchObject({ code: 'HARN_CLI_USAGE' });
    await expect(command.run(['--seed', '-1'])).rejects.toMatchObject({ code: 'HARN_CLI_USAGE' });
    await expect(command.run(['extra'])).rejects.toMatchObject({ code: 'HARN_CLI_USAGE' });
  });
});
