import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { API_ERRORS, ToxiproxyApiError } from './errors.ts';
import { goMarshal, GoJsonError, parseFirstJsonValue, type JsonValue } from './json.ts';
import { decodeProxyInput, PopulateError, type ProxyCollection } from './proxy-collection.ts';
import type { ToxiProxy } from './proxy.ts';
import { toxicJson } from './toxic-collection.ts';

/** The API level emulated; `/version` answers exactly `{"version": "2.12.0"}\n`. */
export const TOXIPROXY_VERSION = '2.12.0';
/** Largest request body read (Toxiproxy sets no limit; ours protects the harness process). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

type Params = Record<string, string>;
/** What a handler answers: a status and a JSON value (or no body for 204). */
type Answer = { status: number; json?: unknown; raw?: { type: string; body: string } };
type Handler = (ctx: { params: Params; body: () => Promise<string> }) => Promise<Answer>;

/** A handler that answers without waiting; a throw (unknown proxy, …) still becomes the rejection the listener answers. */
const answerNow =
  (answer: (ctx: Parameters<Handler>[0]) => Answer): Handler =>
  (ctx) =>
    new Promise((resolve) => {
      resolve(answer(ctx));
    });

interface Route {
  segments: string[];
  methods: Record<string, Handler>;
}

/** A 20-character id in the alphabet and shape of github.com/rs/xid (time first, then random). */
let counter = randomBytes(3).readUIntBE(0, 3);
const processBytes = randomBytes(5);
function requestId(): string {
  const id = Buffer.alloc(12);
  id.writeUInt32BE(Math.floor(Date.now() / 1000), 0);
  processBytes.copy(id, 4);
  counter = (counter + 1) & 0xffffff;
  id.writeUIntBE(counter, 9, 3);
  let bits = BigInt(`0x${id.toString('hex')}`) << 4n;
  let out = '';
  for (let i = 0; i < 20; i++, bits >>= 5n) out = '0123456789abcdefghijklmnopqrstuv'.charAt(Number(bits & 31n)) + out;
  return out;
}

function parse(body: string): JsonValue {
  try {
    return parseFirstJsonValue(body);
  } catch (err) {
    throw API_ERRORS.badBody((err as GoJsonError).message);
  }
}

/** Builds the route table of Toxiproxy 2.12 (api.go Routes()) over a proxy collection. */
export function createRoutes(proxies: ProxyCollection): Route[] {
  const proxyJson = (p: ToxiProxy): unknown => p.toJSON();
  return [
    {
      segments: ['version'],
      methods: {
        GET: answerNow(() => ({ status: 200, raw: { type: 'application/json;charset=utf-8', body: `{"version": "${TOXIPROXY_VERSION}"}\n` } })),
      },
    },
    {
      segments: ['reset'],
      methods: { POST: async () => (await proxies.reset(), { status: 204 }) },
    },
    {
      segments: ['populate'],
      methods: {
        POST: async ({ body }) => {
          let entries;
          try {
            const value = parse(await body());
            if (value.kind !== 'array') throw API_ERRORS.badBody(`json: cannot unmarshal ${value.kind} into Go value of type []toxiproxy.Proxy`);
            entries = value.items.map((item) => decodeProxyInput(item, { name: '', listen: '', upstream: '', enabled: true }));
          } catch (err) {
            throw err instanceof ToxiproxyApiError ? new PopulateError(err, null) : err;
          }
          const created = await proxies.populate(entries);
          // Go marshals an empty (nil) slice as null; clients must cope (see README).
          return { status: 201, json: { proxies: created.length ? created.map(proxyJson) : null } };
        },
      },
    },
    {
      segments: ['proxies'],
      methods: {
        GET: answerNow(() => ({ status: 200, json: Object.fromEntries(proxies.sorted().map((p) => [p.name, proxyJson(p)])) })),
        POST: async ({ body }) => {
          const input = decodeProxyInput(parse(await body()), { name: '', listen: '', upstream: '', enabled: true });
          if (input.name === '') throw API_ERRORS.missingField('name');
          if (input.upstream === '') throw API_ERRORS.missingField('upstream');
          return { status: 201, json: proxyJson(await proxies.add(input)) };
        },
      },
    },
    {
      segments: ['proxies', ':proxy'],
      methods: {
        GET: answerNow(({ params }) => ({ status: 200, json: proxyJson(proxies.get(params['proxy']!)) })),
        POST: updateProxy,
        PATCH: updateProxy,
        DELETE: async ({ params }) => (await proxies.remove(params['proxy']!), { status: 204 }),
      },
    },
    {
      segments: ['proxies', ':proxy', 'toxics'],
      methods: {
        GET: answerNow(({ params }) => ({ status: 200, json: proxies.get(params['proxy']!).toxics.list().map(toxicJson) })),
        POST: async ({ params, body }) => {
          const proxy = proxies.get(params['proxy']!);
          return { status: 200, json: toxicJson(await proxy.toxics.add(await body())) };
        },
      },
    },
    {
      segments: ['proxies', ':proxy', 'toxics', ':toxic'],
      methods: {
        GET: answerNow(({ params }) => ({ status: 200, json: toxicJson(proxies.get(params['proxy']!).toxics.get(params['toxic']!)) })),
        POST: updateToxic,
        PATCH: updateToxic,
        DELETE: async ({ params }) => {
          await proxies.get(params['proxy']!).toxics.remove(params['toxic']!);
          return { status: 204 };
        },
      },
    },
  ];

  async function updateProxy({ params, body }: Parameters<Handler>[0]): Promise<Answer> {
    const proxy = proxies.get(params['proxy']!);
    const value = parse(await body());
    const updated = await proxies.update(proxy.name, (p) =>
      decodeProxyInput(value, { name: p.name, listen: p.listen, upstream: p.upstream, enabled: p.enabled }),
    );
    return { status: 200, json: proxyJson(updated) };
  }

  async function updateToxic({ params, body }: Parameters<Handler>[0]): Promise<Answer> {
    const toxics = proxies.get(params['proxy']!).toxics;
    toxics.get(params['toxic']!);
    return { status: 200, json: toxicJson(await toxics.update(params['toxic']!, await body())) };
  }
}

function match(routes: Route[], path: string): { route: Route; params: Params } | null | 'bad' {
  if (!path.startsWith('/')) return null;
  const parts = path.slice(1).split('/');
  for (const route of routes) {
    if (route.segments.length !== parts.length) continue;
    const params: Params = {};
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      const want = route.segments[i]!;
      const got = parts[i]!;
      if (want.startsWith(':')) {
        if (got === '') ok = false;
        else {
          try {
            params[want.slice(1)] = decodeURIComponent(got);
          } catch {
            return 'bad';
          }
        }
      } else ok = want === got;
    }
    if (ok) return { route, params };
  }
  return null;
}

/** Go's http.Error: text/plain, nosniff, body plus a newline. */
function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.end(`${text}\n`);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (part: Buffer) => {
      size += part.length;
      if (size > MAX_BODY_BYTES) {
        reject(API_ERRORS.badBody('http: request body too large'));
        return;
      }
      parts.push(part);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The request listener: route match, then (for matched routes only, like gorilla/mux middleware)
 * the request-id header and the browser block, then the handler. Unknown paths get Go's 404 text,
 * known paths with another method an empty 405.
 */
export function createRequestListener(routes: Route[]): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const found = match(routes, path);
    if (found === 'bad') {
      sendText(res, 400, '400 Bad Request');
      return;
    }
    if (found === null) {
      sendText(res, 404, '404 page not found');
      return;
    }
    const handler = found.route.methods[req.method ?? ''];
    if (!handler) {
      res.writeHead(405, { 'Content-Length': '0' });
      return void res.end();
    }
    res.setHeader('X-Toxiproxy-Request-Id', requestId());
    if ((req.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
      sendText(res, 403, 'User agent not allowed');
      return;
    }
    let bodyText: Promise<string> | undefined;
    const body = (): Promise<string> => (bodyText ??= readBody(req));
    handler({ params: found.params, body }).then(
      (answer) => {
        req.resume();
        if (answer.raw) {
          res.writeHead(answer.status, { 'Content-Type': answer.raw.type });
          return void res.end(answer.raw.body);
        }
        if (answer.json === undefined) {
          res.writeHead(answer.status);
          return void res.end();
        }
        res.writeHead(answer.status, { 'Content-Type': 'application/json' });
        res.end(goMarshal(answer.json));
      },
      (err: unknown) => {
        req.resume();
        if (err instanceof PopulateError) {
          const json = { error: err.error.message, status: err.error.status, proxies: err.proxies?.map((p) => p.toJSON()) ?? null };
          res.writeHead(err.error.status, { 'Content-Type': 'application/json' });
          return void res.end(goMarshal(json));
        }
        const apiError = err instanceof ToxiproxyApiError ? err : new ToxiproxyApiError(err instanceof Error ? err.message : String(err), 500);
        sendText(res, apiError.status, goMarshal({ error: apiError.message, status: apiError.status }));
      },
    );
  };
}
