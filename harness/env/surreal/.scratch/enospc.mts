import { decode, encode } from '@surrealdb/cbor';
import { openNativeEngine } from '../native-engine.ts';
import { startLimitedDisk } from '../../disk/limited-disk.ts';
const mode = process.argv[2] ?? 'reopen';
const disk = await startLimitedDisk({ size: '8m' });
process.on('exit', () => { try { require('child_process').execFileSync('umount', ['-l', disk.dir]); } catch {} });
const url = `surrealkv://${disk.dir}/db`;
let eng = await openNativeEngine(url);
let n = 0;
const q = async (sql: string) => decode(await eng.execute(encode({ id: String(n++), method: 'query', params: ['USE NS n DB d; ' + sql] })));
const w = async (i: number) => { const t = Date.now(); const r: any = await Promise.race([q(`CREATE ev:${i} SET i=${i}, pad=string::repeat("x", 5000)`), new Promise((res) => setTimeout(() => res('TIMEOUT'), 3000))]); console.log('write', i, Date.now() - t, 'ms', JSON.stringify(r === 'TIMEOUT' ? r : r[1]?.status === 'OK' ? 'OK' : r[1]?.result ?? r)); };
for (let i = 0; i < 20; i++) await w(i);
await disk.fill();
for (let i = 20; i < 26; i++) await w(i);
if (mode === 'fullreopen') { eng.free(); console.log('freed while full'); const t0 = Date.now(); for (let k = 0; ; k++) { try { eng = await openNativeEngine(url); console.log('reopened while full after', k, Date.now() - t0, 'ms'); break; } catch (e) { if (k % 10 === 0) console.log('reopen failed', k, (e as Error).message); await new Promise((r) => setTimeout(r, 100)); if (k === 100) { await disk.free(); console.log('freed disk at 10s'); } } }
  for (let i = 40; i < 42; i++) await w(i);
  console.log(JSON.stringify((await q('SELECT VALUE i FROM ev ORDER BY i'))[1]));
}
await disk.free();
if (mode === 'reopen' || mode === 'fullreopen') {
  console.log('freeing engine'); eng.free(); console.log('freed; reopening');
  eng = await openNativeEngine(url); console.log('reopened');
}
for (let i = 26; i < 30; i++) await w(i);
console.log(JSON.stringify(await q('SELECT VALUE i FROM ev ORDER BY i')));
eng.free();
await disk.close();
console.log('done');
