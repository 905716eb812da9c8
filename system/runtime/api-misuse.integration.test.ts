/**
 * API misuse end to end against a real orchestrator: every bad request gets the documented status
 * and code, the server stays up, and nothing reaches the event log.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { silentLogger } from './log.ts';
import { startOrchestrator, type OrchestratorHandle } from './orchestrator.ts';
import { Cleanups, allEvents, http, tempDir } from './test-helpers.ts';

const cleanups = new Cleanups();
let orch: OrchestratorHandle;

beforeAll(async () => {
  const dataDir = await tempDir(cleanups);
  orch = await startOrchestrator({ port: 0, dataDir, workers: 1, bodyLimitBytes: 4096 }, { logger: silentLogger });
  cleanups.add(() => orch.destroy());
});
afterAll(() => cleanups.run());

const cases: Array<[name: string, method: string, path: string, body: unknown, status: number, code: string]> = [
  ['malformed JSON', 'POST', '/beads', '{"id": "x", "title": ', 400, 'ORCH_API_MALFORMED_JSON'],
  ['a wrong type', 'POST', '/beads', { id: 'x', title: 'x', priority: 'high' }, 400, 'ORCH_API_INVALID_BODY'],
  ['an unknown field', 'POST', '/beads', { id: 'x', title: 'x', dependson: ['y'] }, 400, 'ORCH_API_INVALID_BODY'],
  ['an oversize body', 'POST', '/beads', { id: 'x', title: 'x', description: 'a'.repeat(10_000) }, 413, 'ORCH_API_BODY_TOO_LARGE'],
  [
    'a cycle',
    'POST',
    '/beads',
    {
      workflow: {
        id: 'cyc',
        beads: [
          { id: 'a', title: 'a', dependsOn: ['b'] },
          { id: 'b', title: 'b', dependsOn: ['a'] },
        ],
      },
    },
    400,
    'ORCH_DAG_CYCLE',
  ],
  ['an unknown dependency', 'POST', '/beads', { id: 'x', title: 'x', dependsOn: ['nope'] }, 400, 'ORCH_DAG_UNKNOWN_DEPENDENCY'],
  ['a bad agent script', 'POST', '/beads', { id: 'x', title: 'x', input: { agent: { steps: 'many' } } }, 400, 'ORCH_AGENT_INVALID_INPUT'],
  ['an unknown bead', 'GET', '/beads/missing', undefined, 404, 'ORCH_API_NOT_FOUND'],
  ['cancelling an unknown bead', 'POST', '/beads/missing/cancel', {}, 404, 'ORCH_API_NOT_FOUND'],
  ['a bad events query', 'GET', '/events?limit=zero', undefined, 400, 'ORCH_API_INVALID_QUERY'],
  ['a malformed stream name', 'GET', '/events?stream=nope', undefined, 400, 'ORCH_STREAM_INVALID'],
  ['admin routes when admin is off', 'GET', '/admin/actors', undefined, 404, 'ORCH_API_NOT_FOUND'],
];

it.each(cases)('answers %s with the right status and code, and writes nothing', async (_name, method, path, body, status, code) => {
  const reply = await http(orch.url, method, path, body);
  expect(reply.status).toBe(status);
  expect(reply.body.error.code).toBe(code);
  expect((await http(orch.url, 'GET', '/health')).status).toBe(200);
  expect(await allEvents(orch.url)).toEqual([]);
});

it('still works after all that', async () => {
  const reply = await http(orch.url, 'POST', '/beads', { id: 'fine', title: 'fine', input: { agent: { steps: 1 } } });
  expect(reply.status).toBe(201);
  expect((await allEvents(orch.url)).length).toBeGreaterThan(0);
});
