/**
 * A small HTTP client for the orchestrator's REST API (system/api/README.md), on its own undici
 * Agent so the run can close every socket it opened. The base URL is read on each call because
 * the orchestrator gets a new process (same port) when a fault restarts it.
 *
 * Responses are returned, never thrown, whatever their status: the History classifies them.
 * Network errors ARE thrown (with undici's code) so `track()` can tell "never sent" from "unknown".
 */
import { Agent, request } from 'undici';

/** A decoded response. `body` is parsed JSON when the server sent JSON, else the text. */
export interface ApiResponse {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/** Options of {@link ApiClient}. */
export interface ApiClientOptions {
  /** Where the API is now (e.g. `() => sut.url`). */
  baseUrl: () => string;
  /** Bearer token for /admin/*. */
  adminToken?: () => string | undefined;
  /** Per-request bound on headers and body (ms). @default 10000 */
  timeoutMs?: number;
}

/** Raw request options, for deliberately malformed requests. */
export interface RawRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Aborts the request (undici rejects with an AbortError). */
  signal?: AbortSignal;
}

/** The orchestrator API as the harness drives it. */
export class ApiClient {
  readonly #agent: Agent;
  readonly #options: ApiClientOptions;

  constructor(options: ApiClientOptions) {
    this.#options = options;
    const timeout = options.timeoutMs ?? 10_000;
    // Short connect timeout: a refused or hanging connect must not stall the open-model schedule.
    this.#agent = new Agent({ connect: { timeout: Math.min(timeout, 5_000) }, headersTimeout: timeout, bodyTimeout: timeout, pipelining: 0 });
  }

  /** POST /beads with a bead or `{workflow}` body and an Idempotency-Key. */
  submit(body: unknown, idempotencyKey?: string): Promise<ApiResponse> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
    return this.raw({ method: 'POST', path: '/beads', body: JSON.stringify(body), headers });
  }

  /** GET /beads/:id. */
  getBead(id: string): Promise<ApiResponse> {
    return this.raw({ method: 'GET', path: `/beads/${encodeURIComponent(id)}` });
  }

  /** POST /beads/:id/cancel. */
  cancel(id: string, reason = 'scenario'): Promise<ApiResponse> {
    return this.raw({
      method: 'POST',
      path: `/beads/${encodeURIComponent(id)}/cancel`,
      body: JSON.stringify({ reason }),
      headers: { 'content-type': 'application/json' },
    });
  }

  /** GET /health. */
  health(): Promise<ApiResponse> {
    return this.raw({ method: 'GET', path: '/health' });
  }

  /** GET /metrics (Prometheus text). */
  metrics(): Promise<ApiResponse> {
    return this.raw({ method: 'GET', path: '/metrics' });
  }

  /** GET /events, one page; with `wait` (ms), a long-poll for the next commit when there is none yet. */
  events(query: { stream?: string; from?: string | number; limit?: number; wait?: number } = {}, signal?: AbortSignal): Promise<ApiResponse> {
    const params = new URLSearchParams();
    if (query.stream !== undefined) params.set('stream', query.stream);
    if (query.from !== undefined) params.set('from', String(query.from));
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.wait !== undefined) params.set('wait', String(query.wait));
    const qs = params.toString();
    return this.raw({ method: 'GET', path: `/events${qs ? `?${qs}` : ''}`, ...(signal ? { signal } : {}) });
  }

  /** POST /admin/actors/kill with `{random: count, seed}`. */
  killActors(count: number, seed: number): Promise<ApiResponse> {
    const token = this.#options.adminToken?.();
    return this.raw({
      method: 'POST',
      path: '/admin/actors/kill',
      body: JSON.stringify({ random: count, seed }),
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
  }

  /** Any request, as given. */
  async raw(req: RawRequest): Promise<ApiResponse> {
    const res = await request(new URL(req.path, this.#options.baseUrl()), {
      method: req.method,
      headers: req.headers,
      body: req.body,
      dispatcher: this.#agent,
      ...(req.signal ? { signal: req.signal } : {}),
    });
    const text = await res.body.text();
    const type = String(res.headers['content-type'] ?? '');
    let body: unknown = text;
    if (type.includes('json') && text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    return { status: res.statusCode, body, headers: res.headers };
  }

  /** Closes every socket (waits for requests in flight). Idempotent. */
  async close(): Promise<void> {
    if (this.#agent.closed || this.#agent.destroyed) return;
    await this.#agent.close();
  }

  /** Cuts every socket now. Idempotent. */
  async destroy(): Promise<void> {
    if (this.#agent.destroyed) return;
    await this.#agent.destroy();
  }
}

/** The API's error code in a response body (`{error: {code}}`), if any. */
export function errorCode(res: ApiResponse): string | undefined {
  const code = (res.body as { error?: { code?: unknown } } | null)?.error?.code;
  return typeof code === 'string' ? code : undefined;
}
