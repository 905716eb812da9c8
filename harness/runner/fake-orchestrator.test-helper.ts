/**
 * A small real HTTP server standing in for an orchestrator's API, for tests of the runner's waits
 * (workload, drain): each test says how it answers, and the helper registers its own cleanup
 * (the server and the API client go after each test, passing or failing).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';
import { ApiClient } from './api-client.ts';

let server: Server | undefined;
let api: ApiClient | undefined;
afterEach(async () => {
  await api?.destroy();
  await stopFakeOrchestrator();
  api = undefined;
});

/** Answers with a JSON body. */
export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** Starts the server on a free port with `handle` and returns an ApiClient pointed at it. */
export async function startFakeOrchestrator(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<ApiClient> {
  server = createServer((req, res) => {
    req.resume();
    handle(req, res);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  api = new ApiClient({ baseUrl: () => `http://127.0.0.1:${port}` });
  return api;
}

/** Stops the server now (a test of an unreachable API); after each test this runs anyway. */
export async function stopFakeOrchestrator(): Promise<void> {
  const running = server;
  server = undefined;
  if (running) await new Promise((resolve) => running.close(resolve));
}
