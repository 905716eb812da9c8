/**
 * A route table small enough to read: method + path pattern (`/beads/:id`) → handler.
 *
 * An unknown path is 404 and a known path with another method is 405 with `Allow`, so clients
 * can tell "no such thing" from "not like that".
 */
import type { IncomingMessage } from 'node:http';
import { MethodNotAllowedError, NotFoundError } from './errors.ts';

/** What a handler returns; the server serialises it. `json` wins over `text`. */
export interface Reply {
  status: number;
  json?: unknown;
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Everything a handler may use about one request. */
export interface RequestContext {
  req: IncomingMessage;
  url: URL;
  params: Record<string, string>;
  requestId: string;
  /** Aborted when the client goes away or the server begins to close: long waits (GET /events?wait=) end on it. */
  signal: AbortSignal;
}

/** One route. `mutates`: refused with 503 once the service stops accepting work. */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  path: string;
  mutates?: boolean;
  handler: (ctx: RequestContext) => Promise<Reply>;
}

interface CompiledRoute extends Route {
  pattern: RegExp;
  names: string[];
}

/** A compiled route table. */
export interface Router {
  /** Finds the route for a request, or throws NotFoundError / MethodNotAllowedError. */
  match(method: string, pathname: string): { route: Route; params: Record<string, string> };
}

/** Compiles `routes`; `:name` segments match one non-empty path segment. */
export function createRouter(routes: Route[]): Router {
  const compiled: CompiledRoute[] = routes.map((route) => {
    const names: string[] = [];
    const source = route.path
      .split('/')
      .map((segment) => {
        if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(segment.slice(1));
        return '([^/]+)';
      })
      .join('/');
    return { ...route, names, pattern: new RegExp(`^${source}/?$`) };
  });

  return {
    match(method, pathname) {
      const allow: string[] = [];
      for (const route of compiled) {
        const found = route.pattern.exec(pathname);
        if (!found) continue;
        if (route.method !== method) {
          allow.push(route.method);
          continue;
        }
        const params: Record<string, string> = {};
        route.names.forEach((name, i) => {
          params[name] = safeDecode(found[i + 1]!);
        });
        return { route, params };
      }
      if (allow.length > 0) throw new MethodNotAllowedError(method, [...new Set(allow)]);
      throw new NotFoundError(`no route for ${method} ${pathname}`, { method, path: pathname });
    },
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // A malformed escape is kept as is; the id then simply does not exist.
  }
}
