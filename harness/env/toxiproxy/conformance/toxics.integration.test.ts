/**
 * Every toxic's effect on real sockets, ported from toxics/*_test.go and link_test.go
 * (Shopify/toxiproxy v2.12; the README's "Toxics" section). Timing bounds are generous for a noisy 2-core machine: a 200 ms toxic must add at
 * least 190 ms and less than 1500 ms. Runs against TOXIPROXY_URL when set.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, connectClient, createProxy, openBackend, portOf, sleep, startUpstream, type Backend, type RecordingSocket } from './backend.ts';

let backend: Backend;
beforeAll(async () => {
  backend = await openBackend();
  return () => backend.close();
});
afterEach(cleanup);

type Stream = 'upstream' | 'downstream';
async function setup(mode: 'echo' | 'sink') {
  const upstream = await startUpstream(mode);
  const proxy = await createProxy(backend, upstream.port);
  const add = (type: string, stream: Stream, attributes: Record<string, number>, toxicity = 1, name = `${type}_${stream}`) =>
    proxy.addToxic({ name, type: type as 'latency', stream, toxicity, attributes });
  const connect = async (): Promise<{ client: RecordingSocket; peer: RecordingSocket }> => {
    const peerPromise = upstream.nextPeer();
    const client = await connectClient(portOf(proxy.listen));
    return { client, peer: await peerPromise };
  };
  return { upstream, proxy, add, connect };
}

async function roundTrip(client: RecordingSocket, text = 'ping'): Promise<number> {
  const start = performance.now();
  client.socket.write(text);
  await client.read(client.data.length + text.length, 5000);
  return performance.now() - start;
}

describe('latency', () => {
  it.each(['upstream', 'downstream'] as const)('adds 200 ms on the %s stream', async (stream) => {
    const { add, connect } = await setup('echo');
    const { client } = await connect();
    expect(await roundTrip(client)).toBeLessThan(190);
    await add('latency', stream, { latency: 200, jitter: 0 });
    const took = await roundTrip(client);
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(1500);
  });

  it('stacks two toxics, keeps jitter in bounds, and toxicity 0 adds nothing', async () => {
    const { add, connect, proxy } = await setup('echo');
    await add('latency', 'upstream', { latency: 150, jitter: 0 }, 1, 'a');
    await add('latency', 'upstream', { latency: 150, jitter: 0 }, 1, 'b');
    const { client } = await connect();
    const stacked = await roundTrip(client);
    expect(stacked).toBeGreaterThanOrEqual(290);
    expect(stacked).toBeLessThan(1600);
    await (await proxy.getToxic('a')).remove();
    await (await proxy.getToxic('b')).update({ name: 'b', type: 'latency', stream: 'upstream', toxicity: 1, attributes: { latency: 200, jitter: 100 } });
    for (let i = 0; i < 3; i++) {
      const jittered = await roundTrip(client);
      expect(jittered).toBeGreaterThanOrEqual(95);
      expect(jittered).toBeLessThan(1500);
    }
    await (await proxy.getToxic('b')).update({ name: 'b', type: 'latency', stream: 'upstream', toxicity: 0, attributes: { latency: 1000, jitter: 0 } });
    expect(await roundTrip(client)).toBeLessThan(500);
  });

  it('does not cap throughput: 4 MB through a 100 ms latency in well under a second per MB', async () => {
    const { add, connect } = await setup('sink');
    await add('latency', 'upstream', { latency: 100, jitter: 0 });
    const { client, peer } = await connect();
    const start = performance.now();
    client.socket.write(Buffer.alloc(4 * 1024 * 1024, 1));
    await peer.read(4 * 1024 * 1024, 10_000);
    expect(performance.now() - start).toBeLessThan(3000);
  });

  it('forwards pending data at once when the toxic is removed', async () => {
    const { add, connect } = await setup('sink');
    const toxic = await add('latency', 'upstream', { latency: 3000, jitter: 0 });
    const { client, peer } = await connect();
    client.socket.write('held');
    await sleep(100);
    expect(peer.data.length).toBe(0);
    const start = performance.now();
    await toxic.remove();
    await peer.read(4, 2000);
    expect(performance.now() - start).toBeLessThan(1000);
  });
});

describe('bandwidth', () => {
  it('limits 48,000 bytes at 100 KB/s to about 480 ms, bytes intact', async () => {
    const { add, connect } = await setup('sink');
    await add('bandwidth', 'upstream', { rate: 100 });
    const { client, peer } = await connect();
    const payload = Buffer.alloc(48_000).map((_, i) => i % 199);
    const start = performance.now();
    client.socket.write(payload);
    await peer.read(payload.length, 5000);
    const took = performance.now() - start;
    expect(took).toBeGreaterThanOrEqual(400);
    expect(took).toBeLessThan(2500);
    expect(peer.data.equals(payload)).toBe(true);
  });

  it('rate 0 stalls the stream until the toxic is removed', async () => {
    const { add, connect } = await setup('sink');
    const toxic = await add('bandwidth', 'upstream', { rate: 0 });
    const { client, peer } = await connect();
    client.socket.write('stuck');
    await sleep(300);
    expect(peer.data.length).toBe(0);
    await toxic.remove();
    await peer.read(5, 2000);
  });
});

describe('slow_close', () => {
  it('delays closing the client after the server closed', async () => {
    const { add, connect } = await setup('sink');
    await add('slow_close', 'downstream', { delay: 300 });
    const { client, peer } = await connect();
    const start = performance.now();
    peer.socket.end();
    expect(await client.ended(3000)).toBe('eof');
    const took = performance.now() - start;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1500);
  });
});

describe('timeout', () => {
  it('drops data and closes the connection after 200 ms without data', async () => {
    const { add, connect } = await setup('sink');
    await add('timeout', 'upstream', { timeout: 200 });
    const { client, peer } = await connect();
    const start = performance.now();
    client.socket.write('dropped');
    expect(await client.ended(3000)).not.toBe('open');
    const took = performance.now() - start;
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(1500);
    expect(peer.data.length).toBe(0);
  });

  it('timeout 0 holds forever; removing it closes both client and upstream', async () => {
    const { add, connect } = await setup('sink');
    const toxic = await add('timeout', 'upstream', { timeout: 0 });
    const { client, peer } = await connect();
    client.socket.write('dropped');
    await sleep(400);
    expect(client.end).toBe('open');
    expect(peer.data.length).toBe(0);
    await toxic.remove();
    expect(await client.ended(1000)).not.toBe('open');
    expect(await peer.ended(1000)).not.toBe('open');
  });

  it('toxicity 0 passes data; updating to toxicity 1 applies to the live link', async () => {
    const { add, connect, proxy } = await setup('echo');
    await add('timeout', 'upstream', { timeout: 0 }, 0);
    const { client } = await connect();
    await roundTrip(client);
    await (
      await proxy.getToxic('timeout_upstream')
    ).update({ name: 'timeout_upstream', type: 'timeout', stream: 'upstream', toxicity: 1, attributes: { timeout: 100 } });
    expect(await client.ended(1500)).not.toBe('open');
  });
});

describe('reset_peer', () => {
  it('resets (ECONNRESET) a connection opened with the toxic, about timeout after the first data', async () => {
    const { add, connect } = await setup('sink');
    await add('reset_peer', 'upstream', { timeout: 100 });
    const { client } = await connect();
    const start = performance.now();
    client.socket.write('trigger');
    expect(await client.ended(3000)).toBe('ECONNRESET');
    const took = performance.now() - start;
    expect(took).toBeGreaterThanOrEqual(90);
    expect(took).toBeLessThan(1500);
  });

  it('downstream: triggers on the server reply and resets the client', async () => {
    const { add, connect } = await setup('echo');
    await add('reset_peer', 'downstream', { timeout: 0 });
    const { client } = await connect();
    await sleep(100);
    expect(client.end).toBe('open');
    client.socket.write('reply please');
    expect(await client.ended(3000)).toBe('ECONNRESET');
    expect(client.data.length).toBe(0);
  });

  it('closes a connection opened before the toxic with a plain FIN', async () => {
    const { add, connect } = await setup('sink');
    const { client } = await connect();
    await add('reset_peer', 'upstream', { timeout: 0 });
    client.socket.write('trigger');
    expect(await client.ended(3000)).toBe('eof');
  });
});

describe('slicer', () => {
  it('splits 24 bytes at average 1 into 24 pieces, in order', async () => {
    const { add, connect } = await setup('sink');
    await add('slicer', 'upstream', { average_size: 1, size_variation: 0, delay: 20_000 });
    const { client, peer } = await connect();
    client.socket.write('abcdefghijklmnopqrstuvwx');
    await peer.read(24, 5000);
    expect(peer.data.toString()).toBe('abcdefghijklmnopqrstuvwx');
    expect(peer.events.length).toBe(24);
  });

  it('keeps 480 KB intact at 1024 ± 512', async () => {
    const { add, connect } = await setup('sink');
    await add('slicer', 'upstream', { average_size: 1024, size_variation: 512, delay: 0 });
    const { client, peer } = await connect();
    const payload = Buffer.alloc(480 * 1024).map((_, i) => (i * 7) % 256);
    client.socket.write(payload);
    await peer.read(payload.length, 10_000);
    expect(peer.data.equals(payload)).toBe(true);
  });
});

describe('limit_data', () => {
  it.each([
    [[50], 100, 50, 'open'],
    [[100], 100, 100, 'closed'],
    [[150], 100, 100, 'closed'],
    [[25, 25, 25, 25], 100, 100, 'closed'],
    [[90, 20], 100, 100, 'closed'],
    [[10], 0, 0, 'closed'],
  ] as const)('writes %j with limit %i: %i bytes arrive, connection %s', async (writes, limit, arrives, state) => {
    const { add, connect } = await setup('sink');
    await add('limit_data', 'upstream', { bytes: limit });
    const { client, peer } = await connect();
    for (const n of writes) {
      client.socket.write(Buffer.alloc(n, 1));
      await sleep(30);
    }
    if (state === 'closed') {
      expect(await client.ended(2000)).not.toBe('open');
      expect(await peer.ended(2000)).not.toBe('open');
    } else {
      await peer.read(arrives, 2000);
      await sleep(100);
      expect(client.end).toBe('open');
    }
    expect(peer.data.length).toBe(arrives);
  });

  it('keeps its per-link count across an update', async () => {
    const { add, connect, proxy } = await setup('sink');
    await add('limit_data', 'upstream', { bytes: 100 });
    const { client, peer } = await connect();
    client.socket.write(Buffer.alloc(60, 1));
    await peer.read(60);
    await (
      await proxy.getToxic('limit_data_upstream')
    ).update({ name: 'limit_data_upstream', type: 'limit_data', stream: 'upstream', toxicity: 1, attributes: { bytes: 80 } });
    client.socket.write(Buffer.alloc(60, 2));
    expect(await client.ended(2000)).not.toBe('open');
    expect(peer.data.length).toBe(80);
  });
});

describe('seeded randomness (embedded only: the real server ignores -seed)', () => {
  it('rolls toxicity identically for the same seed, so a chaos run replays', async () => {
    if (!backend.embedded) return;
    const { startToxiproxyServer } = await import('../server.ts');
    const { Toxiproxy } = await import('toxiproxy-node-client');
    const echo = await startUpstream('echo');
    const pattern = async (seed: number): Promise<string> => {
      const server = await startToxiproxyServer({ seed });
      try {
        const proxy = await new Toxiproxy(server.url).createProxy({ name: 'seeded', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echo.port}` });
        await proxy.addToxic({ name: 'half', type: 'latency', stream: 'downstream', toxicity: 0.5, attributes: { latency: 200, jitter: 0 } });
        let out = '';
        for (let i = 0; i < 8; i++) {
          const client = await connectClient(portOf(proxy.listen));
          out += (await roundTrip(client)) >= 150 ? 'S' : 'f';
          client.socket.destroy();
        }
        return out;
      } finally {
        await server.close();
      }
    };
    const first = await pattern(3);
    expect(first).toMatch(/S/);
    expect(first).toMatch(/f/);
    expect(await pattern(3)).toBe(first);
  });
});
