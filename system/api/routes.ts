/**
 * The public routes: beads, health, metrics and the event log. Each handler validates its input,
 * calls the service once and shapes the reply; errors propagate to the server, which maps them
 * with ./errors.ts.
 */
import { hasCode } from '../errors.ts';
import { readJsonBody } from './body.ts';
import { NotFoundError } from './errors.ts';
import { effectiveIdempotencyKey, requestFingerprint } from './idempotency.ts';
import type { Route } from './router.ts';
import { CancelBodySchema, EventsQuerySchema, parseBody, parseQuery, parseSubmitRequest } from './schemas.ts';
import type { BeadService } from './service.ts';

/** Prometheus text exposition format 0.0.4 (what prom-client's registry reports). */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The routes every server has. */
export function publicRoutes(service: BeadService, bodyLimitBytes: number): Route[] {
  return [
    {
      method: 'POST',
      path: '/beads',
      mutates: true,
      async handler({ req }) {
        const request = parseSubmitRequest(await readJsonBody(req, bodyLimitBytes));
        const header = req.headers['idempotency-key'];
        const idempotencyKey = effectiveIdempotencyKey(Array.isArray(header) ? header[0] : header, request);
        const result = await service.submit(request, { idempotencyKey, fingerprint: requestFingerprint(request) });
        const headers: Record<string, string> = {};
        if (!result.created) headers['idempotent-replayed'] = 'true';
        if (request.kind === 'bead' && result.beads[0]) headers['location'] = `/beads/${encodeURIComponent(result.beads[0].id)}`;
        const json = result.workflowId === undefined ? { beads: result.beads } : { workflowId: result.workflowId, beads: result.beads };
        return { status: result.created ? 201 : 200, json, headers };
      },
    },
    {
      method: 'GET',
      path: '/beads/:id',
      async handler({ params }) {
        const bead = await service.get(params['id']!);
        if (bead === undefined) throw new NotFoundError(`bead "${params['id']}" not found`, { id: params['id'] });
        return { status: 200, json: { bead } };
      },
    },
    {
      method: 'POST',
      path: '/beads/:id/cancel',
      mutates: true,
      async handler({ req, params }) {
        const body = parseBody(CancelBodySchema, (await readJsonBody(req, bodyLimitBytes, true)) ?? {});
        try {
          const bead = await service.cancel(params['id']!, body.reason === undefined ? {} : { reason: body.reason });
          return { status: 200, json: { bead } };
        } catch (err) {
          // One code for "no such bead" on every route, whichever layer noticed.
          if (hasCode(err, 'ORCH_BEAD_NOT_FOUND')) throw new NotFoundError(`bead "${params['id']}" not found`, { id: params['id'] });
          throw err;
        }
      },
    },
    {
      method: 'GET',
      path: '/health',
      async handler() {
        const report = await service.health();
        const accepting = service.accepting();
        const ok = accepting && Object.values(report.components).every((c) => c.status === 'ok');
        return { status: ok ? 200 : 503, json: { status: ok ? 'ok' : 'unavailable', accepting, components: report.components } };
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      async handler() {
        return { status: 200, text: await service.metricsText(), contentType: PROMETHEUS_CONTENT_TYPE };
      },
    },
    {
      method: 'GET',
      path: '/events',
      async handler({ url, signal }) {
        const query = parseQuery(EventsQuerySchema, url.searchParams);
        const page = await service.events(query, signal);
        return { status: 200, json: page.next === undefined ? { events: page.events } : { events: page.events, next: page.next } };
      },
    },
  ];
}
