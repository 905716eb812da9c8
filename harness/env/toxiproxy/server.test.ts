import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
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

describe('the data plane', () => {
  it('relays a small write at once (TCP_NODELAY on both legs), not after the peer’s delayed ACK', async () => {
    // A request/response protocol that sends each request in two small writes (a header, then a
    // body, as a DB driver does): with Nagle on the proxy's upstream leg the second write waits for
    // the ACK of the first, which the server delays (~40 ms on Linux) because it has nothing to say yet.
    const server = createNetServer({ noDelay: true }, (socket) => {
      let pending = 0;
      socket.on('data', (chunk) => {
        pending += chunk.length;
        while (pending >= 2) {
          pending -= 2;
          socket.write('k');
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    defer(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const upstreamPort = (server.address() as AddressInfo).port;
    const config = [{ name: 'rr', listen: '127.0.0.1:0', upstream: `127.0.0.1:${upstreamPort}` }];
    const proxy = await startToxiproxyServer({ configFile: tempFile(JSON.stringify(config)) });
    defer(() => proxy.destroy());
    const listen = ((await (await fetch(`${proxy.url}/proxies/rr`)).json()) as { listen: string }).listen;
    const client = connect({ port: portOf(listen), host: '127.0.0.1', noDelay: true });
    defer(() => client.destroy());
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    const trips: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t0 = performance.now();
      const answered = new Promise((resolve) => client.once('data', resolve));
      client.write('h');
      // Apart, so the proxy reads (and relays) them as two chunks.
      await new Promise((resolve) => setTimeout(resolve, 2));
      client.write('b');
      await answered;
      trips.push(performance.now() - t0);
    }
    trips.sort((a, b) => a - b);
    // Without TCP_NODELAY the median is the delayed-ACK quantum (≥ 40 ms); with it, a few ms.
    expect(trips[15]!).toBeLessThan(25);
  });
});
