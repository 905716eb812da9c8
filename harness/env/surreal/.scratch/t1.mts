import { Surreal, RecordId } from 'surrealdb';
import { WebSocket } from 'undici';
import { startSurrealServer } from '/work/main/harness/env/surreal/server.ts';
const srv = await startSurrealServer({});
console.log(srv.url);
const db = new Surreal({ websocketImpl: WebSocket as any });
await db.connect(srv.url);
await db.use({ namespace: 'a', database: 'b' });
console.log(await db.create(new RecordId('t', 1)).content({ x: 1 }));
console.log(await db.query('RETURN [session::ns(), session::db()]'));
try { await db.query('THROW "boom"'); } catch (e) { console.log('err', (e as Error).constructor.name, (e as Error).message); }
try { await db.query('SELEC'); } catch (e) { console.log('err', (e as Error).constructor.name, (e as Error).message); }
console.log(await db.version());
const s2 = await db.newSession();
await s2.use({ namespace: 'z', database: 'z' });
console.log(await s2.query('RETURN session::ns()'), await db.query('RETURN session::ns()'));
await db.close();
await srv.close();
console.log('closed');
