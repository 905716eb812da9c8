/**
 * The TCP data plane, ported from proxy_test.go, link_test.go and toxics/toxic_test.go
 * (Shopify/toxiproxy v2.12) as socket-level tests: bytes arrive intact and in order, a down upstream gives the client EOF,
 * disabling or deleting a proxy closes live connections, and live connections survive toxic churn
 * and /reset. Real echo/sink upstreams on port 0; runs against TOXIPROXY_URL when set.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, connectClient, createProxy, http, openBackend, portOf, sleep, startUpstream, tryConnect, type Backend } from './backend.ts';

let backend: Backend;
beforeAll(async () => {
  backend = await openBackend();
  return () => backend.close();
});
afterEach(cleanup);

describe('forwarding', () => {
  it('carries one write, two writes and 64 KB intact to the upstream and back', async () => {
    const echo = await startUpstream('echo');
    const proxy = await createProxy(backend, echo.port);
    const client = await connectClient(portOf(proxy.listen));
    client.socket.write('hello world');
    await client.read(11);
    client.socket.write('hello ');
    client.socket.write('again');
    await client.read(22);
    const big = Buffer.alloc(64 * 1024, 7).map((_, i) => i % 251);
    client.socket.write(big);
    await client.read(22 + big.length);
    expect(client.data.subarray(0, 22).toString()).toBe('hello worldhello again');
    expect(client.data.subarray(22).equals(big)).toBe(true);
    expect(echo.peers[0]!.data.length).toBe(22 + big.length);
  });

  it('accepts then closes (EOF) when the upstream refuses', async () => {
    const gone = await startUpstream('sink');
    const port = gone.port;
    await gone.close();
    const proxy = await createProxy(backend, port, 'down-upstream');
    const client = await connectClient(portOf(proxy.listen));
    const start = performance.now();
    expect(await client.ended(2000)).toMatch(/^(eof|ECONNRESET)$/);
    expect(performance.now() - start).toBeLessThan(1500);
  });

  it('closes the whole connection when the client ends its side (no half-close)', async () => {
    const sink = await startUpstream('sink');
    const proxy = await createProxy(backend, sink.port);
    const client = await connectClient(portOf(proxy.listen));
    client.socket.write('bye');
    const peer = sink.peers[0] ?? (await sink.nextPeer());
    await peer.read(3);
    client.socket.end();
    expect(await peer.ended(2000)).toBe('eof');
    expect(await client.ended(2000)).toBe('eof');
  });

  it('serves two proxies side by side', async () => {
    const [a, b] = [await startUpstream('echo'), await startUpstream('echo')];
    const [pa, pb] = [await createProxy(backend, a.port), await createProxy(backend, b.port)];
    const [ca, cb] = [await connectClient(portOf(pa.listen)), await connectClient(portOf(pb.listen))];
    ca.socket.write('a');
    cb.socket.write('b');
    await ca.read(1);
    await cb.read(1);
    expect([a.peers.length, b.peers.length]).toEqual([1, 1]);
  });
});

describe('proxy state and live connections', () => {
  it('disable closes live connections and the listener; enable rebinds the same port', async () => {
    const echo = await startUpstream('echo');
    const proxy = await createProxy(backend, echo.port);
    const port = portOf(proxy.listen);
    const client = await connectClient(port);
    client.socket.write('x');
    await client.read(1);
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    expect(await client.ended(1000)).not.toBe('open');
    expect(await echo.peers[0]!.ended(1000)).not.toBe('open');
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
    await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    const again = await connectClient(port);
    again.socket.write('y');
    await again.read(1);
  });

  it('delete closes live connections', async () => {
    const echo = await startUpstream('echo');
    const proxy = await createProxy(backend, echo.port);
    const client = await connectClient(portOf(proxy.listen));
    client.socket.write('x');
    await client.read(1);
    await proxy.remove();
    expect(await client.ended(1000)).not.toBe('open');
  });

  it('an update naming the same address by hostname keeps connections; a new listen moves the port', async () => {
    const echo = await startUpstream('echo');
    const proxy = await createProxy(backend, echo.port);
    const port = portOf(proxy.listen);
    const client = await connectClient(port);
    const same = await proxy.update({ enabled: true, listen: `localhost:${port}`, upstream: proxy.upstream });
    expect(same.listen).toBe(proxy.listen);
    client.socket.write('still here');
    await client.read(10);
    expect(client.end).toBe('open');
    const moved = await proxy.update({ enabled: true, listen: 'localhost:0', upstream: proxy.upstream });
    expect(portOf(moved.listen)).not.toBe(port);
    expect(await client.ended(1000)).not.toBe('open');
    expect(await tryConnect(port)).toBe('ECONNREFUSED');
    expect(await tryConnect(portOf(moved.listen))).toBe('connected');
  });

  it('keeps a live connection across added noop toxics and two resets', async () => {
    const echo = await startUpstream('echo');
    const proxy = await createProxy(backend, echo.port);
    const client = await connectClient(portOf(proxy.listen));
    let expected = 0;
    const roundTrip = async (): Promise<void> => {
      client.socket.write('ping');
      await client.read((expected += 4), 2000);
    };
    await roundTrip();
    await proxy.addToxic({ name: 'n_up', type: 'noop' as 'latency', stream: 'upstream', toxicity: 1, attributes: {} });
    await proxy.addToxic({ name: 'n_down', type: 'noop' as 'latency', stream: 'downstream', toxicity: 1, attributes: {} });
    await roundTrip();
    expect((await http(backend, 'POST', '/reset')).status).toBe(204);
    await roundTrip();
    await http(backend, 'POST', '/reset');
    await roundTrip();
    expect(client.end).toBe('open');
  });
});

describe('toxic churn on live links', () => {
  it('loses, duplicates and reorders nothing while a latency toxic is added and removed', async () => {
    const sink = await startUpstream('sink');
    const proxy = await createProxy(backend, sink.port);
    const client = await connectClient(portOf(proxy.listen));
    const peer = sink.peers[0] ?? (await sink.nextPeer());
    const count = 5000;
    const churn = new AbortController();
    const churner = (async () => {
      for (let i = 0; !churn.signal.aborted; i++) {
        const toxic = await proxy.addToxic({ name: 'lat', type: 'latency', stream: 'upstream', toxicity: 1, attributes: { latency: 200, jitter: 0 } });
        await sleep(5);
        await toxic.remove();
      }
    })();
    for (let i = 0; i < count; i++) {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(i);
      client.socket.write(b);
      if (i % 200 === 0) await sleep(2);
    }
    await peer.read(count * 4, 10_000);
    churn.abort();
    await churner;
    for (let i = 0; i < count; i++) expect(peer.data.readUInt32BE(i * 4)).toBe(i);
    expect(peer.data.length).toBe(count * 4);
  });

  it('keeps echo round trips working while toxics come and go in both directions', async () => {
    const echo = await startUpstream('echo');
    const proxy = await createProxy(backend, echo.port);
    const client = await connectClient(portOf(proxy.listen));
    const stop = new AbortController();
    const churner = (async () => {
      for (let i = 0; !stop.signal.aborted; i++) {
        const stream = i % 2 ? 'upstream' : 'downstream';
        const toxic = await proxy.addToxic({ name: `churn${i}`, type: 'latency', stream, toxicity: 1, attributes: { latency: 1, jitter: 0 } });
        await toxic.remove();
      }
    })();
    for (let i = 1; i <= 100; i++) {
      client.socket.write('abcd');
      await client.read(i * 4, 3000);
    }
    stop.abort();
    await churner;
    expect(client.data.toString()).toBe('abcd'.repeat(100));
  });

  it('survives many connect, write, close cycles with a latency toxic present', async () => {
    const echo = await startUpstream('echo');
    const proxy = await createProxy(backend, echo.port);
    await proxy.addToxic({ name: 'lat', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 5, jitter: 0 } });
    const port = portOf(proxy.listen);
    for (let i = 0; i < 100; i++) {
      const client = await connectClient(port);
      client.socket.write('hi');
      client.socket.destroy();
    }
    const last = await connectClient(port);
    last.socket.write('ok');
    await last.read(2, 3000);
  });
});
