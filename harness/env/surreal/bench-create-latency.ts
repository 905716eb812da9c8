/**
 * CREATE latency of the embedded server over WebSocket vs the same engine in process.
 * Run: npx tsx harness/env/surreal/bench-create-latency.ts [count=2000] [memory|surrealkv]
 * Prints p50/p99/max per transport. Sequential calls, small payloads, loopback.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Surreal } from 'surrealdb';
import { createNodeEngines } from '@surrealdb/node';
import { sdkWebSocket } from './websocket.ts';
import { startSurrealServer } from './server.ts';

const count = Number(process.argv[2] ?? 2000);
const store = process.argv[3] ?? 'memory';

async function measure(db: Surreal): Promise<number[]> {
  await db.use({ namespace: 'bench', database: 'bench' });
  for (let i = 0; i < 200; i++) await db.query('CREATE warm CONTENT $e', { e: { i } }); // JIT + allocator warm-up
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await db.query('CREATE event CONTENT $e', { e: { seq: i, kind: 'bead.started', payload: { step: i % 5 } } });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return samples.sort((a, b) => a - b);
}

function summary(name: string, s: number[]): string {
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(2);
  return `${name.padEnd(22)} n=${s.length} p50=${at(0.5)} ms p99=${at(0.99)} ms max=${s[s.length - 1]!.toFixed(2)} ms`;
}

const dirs: string[] = [];
const path = async (): Promise<string> => {
  if (store === 'memory') return 'memory';
  const dir = await mkdtemp(join(tmpdir(), 'oya-bench-'));
  dirs.push(dir);
  return dir;
};

try {
  const localPath = await path();
  const local = new Surreal({ engines: createNodeEngines() });
  await local.connect(localPath === 'memory' ? 'mem://' : `surrealkv://${localPath}`);
  console.log(summary(`in-process (${store})`, await measure(local)));
  await local.close();

  const server = await startSurrealServer({ path: await path() });
  const remote = new Surreal({ websocketImpl: sdkWebSocket });
  await remote.connect(server.url);
  console.log(summary(`ws (${store})`, await measure(remote)));
  await remote.close();
  await server.close();
} finally {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
}
