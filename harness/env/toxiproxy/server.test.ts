import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, connectClient, defer, portOf, startUpstream, tryConnect } from './conformance/backend.ts';
import { startToxiproxyServer } from './server.ts';

afterEach(cleanup);

function tempFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'oya-tp-'));
  defer(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'config.json');
  writeFileSync(file, text);
  return file;
}

describe('startToxiproxyServer', () => {
  it('reports its URL, closes idempotently and closes proxy connections on close', async () => {
    const echo = await startUpstream('echo');
    const config = [{ name: 'e', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` }];
    const server = await startToxiproxyServer({ configFile: tempFile(JSON.stringify(config)) });
    defer(() => server.destroy());
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const listen = ((await (await fetch(`${server.url}/proxies/e`)).json()) as { listen: string }).listen;
    const client = await connectClient(portOf(listen));
    client.socket.write('x');
    await client.read(1);
    await Promise.all([server.close(), server.close()]);
    server.destroy();
    expect(await client.ended(1000)).not.toBe('open');
    expect(await tryConnect(server.port)).toBe('ECONNREFUSED');
    expect(await tryConnect(portOf(listen))).toBe('ECONNREFUSED');
  });

  it('fails with HARN_TOXIPROXY_LISTEN when the API port is taken', async () => {
    const first = await startToxiproxyServer();
    defer(() => first.destroy());
    await expect(startToxiproxyServer({ port: first.port })).rejects.toMatchObject({ code: 'HARN_TOXIPROXY_LISTEN' });
  });

  it('fails with HARN_TOXIPROXY_CONFIG on a bad or missing config file', async () => {
    await expect(startToxiproxyServer({ configFile: tempFile('{"not":"an array"}') })).rejects.toMatchObject({ code: 'HARN_TOXIPROXY_CONFIG' });
    await expect(startToxiproxyServer({ configFile: tempFile('[{"name":"x"}]') })).rejects.toThrow('missing required field: upstream at proxy 1');
    await expect(startToxiproxyServer({ configFile: '/nonexistent/oya.json' })).rejects.toMatchObject({ code: 'HARN_TOXIPROXY_CONFIG' });
  });

  it('destroy() cuts a keep-alive API connection at once', async () => {
    const server = await startToxiproxyServer();
    await fetch(`${server.url}/version`);
    const start = performance.now();
    server.destroy();
    await server.close();
    expect(performance.now() - start).toBeLessThan(1000);
  });
});
