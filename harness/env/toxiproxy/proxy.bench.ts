/**
 * Added latency of a pass-through proxy: a 64-byte echo round trip over one persistent connection,
 * direct to the echo server and through an embedded Toxiproxy proxy with no toxics. Toxiproxy's own
 * bar (TestProxyLatency) is under 300 µs added on average.
 */
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { Toxiproxy } from 'toxiproxy-node-client';
import type { BenchSuite } from '../../../system/bench/types.ts';
import { startToxiproxyServer } from './server.ts';

const PAYLOAD = Buffer.alloc(64, 42);

/** A client that sends PAYLOAD and resolves when the same number of bytes came back. */
async function echoClient(port: number): Promise<{ roundTrip(): Promise<void>; socket: Socket }> {
  const socket = connect({ port, host: '127.0.0.1', noDelay: true });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let pending = 0;
  let done: (() => void) | null = null;
  socket.on('data', (d: Buffer) => {
    pending -= d.length;
    if (pending <= 0 && done) {
      const finish = done;
      done = null;
      finish();
    }
  });
  return {
    socket,
    roundTrip: () =>
      new Promise<void>((resolve) => {
        pending = PAYLOAD.length;
        done = resolve;
        socket.write(PAYLOAD);
      }),
  };
}

export async function benchmarks(): Promise<BenchSuite> {
  const echo = createServer((s) => {
    s.setNoDelay(true);
    s.pipe(s);
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  const echoPort = (echo.address() as AddressInfo).port;
  const server = await startToxiproxyServer({ seed: 1 });
  const proxy = await new Toxiproxy(server.url).createProxy({ name: 'bench', listen: '127.0.0.1:0', upstream: `127.0.0.1:${echoPort}` });
  const direct = await echoClient(echoPort);
  const proxied = await echoClient(Number(proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1)));
  return {
    name: 'toxiproxy',
    cases: [
      { name: 'echo 64 B direct', fn: () => direct.roundTrip() },
      // Target: direct round trip + Toxiproxy's 300 µs bar, with room for a noisy 2-core machine.
      { name: 'echo 64 B through proxy', fn: () => proxied.roundTrip(), target: { p99Ms: 1, floorMs: 5 } },
    ],
    async close() {
      direct.socket.destroy();
      proxied.socket.destroy();
      await server.close();
      await new Promise<void>((resolve) => echo.close(() => resolve()));
    },
  };
}
