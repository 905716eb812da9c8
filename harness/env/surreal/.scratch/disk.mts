import { Surreal, RecordId } from 'surrealdb';
import { WebSocket } from 'undici';
import { spawnSurrealServer } from '../spawn.ts';
import { startLimitedDisk } from '../../disk/limited-disk.ts';
const disk = await startLimitedDisk({ size: '16m' });
console.log('disk', disk.dir, await disk.usage());
const withTimeout = <T,>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<never>((_, r) => setTimeout(() => r(new Error('TIMEOUT')), ms))]);
let srv = await spawnSurrealServer({ path: disk.dir + '/db', onOutput: (l) => console.log('[srv]', l) });
try {
  let db = new Surreal({ websocketImpl: WebSocket as any });
  await db.connect(srv.url); await db.use({ namespace: 'n', database: 'd' });
  for (let i = 0; i < 100; i++) await db.create(new RecordId('ev', i)).content({ i, pad: 'x'.repeat(200) });
  console.log('after 100', await disk.usage());
  console.log('filled', await disk.fill(), await disk.usage());
  for (let i = 100; i < 110; i++) {
    try { const r = await withTimeout(db.create(new RecordId('ev', i)).content({ i, pad: 'x'.repeat(200) }), 5000); console.log('write ok?!', i, r); }
    catch (e) { console.log('write err', i, (e as Error).constructor.name, (e as Error).message); }
  }
  try { console.log('read', (await withTimeout(db.query('SELECT count() FROM ev GROUP ALL'), 5000))); } catch (e) { console.log('read err', (e as Error).message); }
  await disk.free(); console.log('freed', await disk.usage());
  for (let i = 110; i < 115; i++) {
    try { await withTimeout(db.create(new RecordId('ev', i)).content({ i }), 5000); console.log('write ok', i); }
    catch (e) { console.log('write err after free', i, (e as Error).message); }
  }
  await db.close();
  await srv.close(); console.log('exit', await srv.exited);
  srv = await spawnSurrealServer({ path: disk.dir + '/db', onOutput: (l) => console.log('[srv2]', l) });
  db = new Surreal({ websocketImpl: WebSocket as any });
  await db.connect(srv.url); await db.use({ namespace: 'n', database: 'd' });
  console.log('after restart', JSON.stringify(await db.query('SELECT VALUE i FROM ev ORDER BY i')));
  await db.close();
} finally { await srv.destroy(); await disk.close(); }
