/**
 * The API's own Prometheus metrics, registered in the registry the runtime passes (the same one
 * GET /metrics exposes through the service). Labels use the route PATTERN (`/beads/:id`), never
 * the raw path: one series per bead id would grow without bound.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

/** Records one finished request. */
export type RecordRequest = (labels: { method: string; route: string; status: number }, seconds: number) => void;

/** Registers `oya_api_requests_total` and `oya_api_request_duration_seconds` in `registry`. */
export function apiMetrics(registry: Registry): RecordRequest {
  const requests = new Counter({
    name: 'oya_api_requests_total',
    help: 'REST API requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'oya_api_request_duration_seconds',
    help: 'REST API request duration by method and route pattern, from request to response written',
    labelNames: ['method', 'route'] as const,
    // 0.5 ms .. 10 s: submits are one fsync'd append (~ms); slower is an outage worth seeing.
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  return ({ method, route, status }, seconds) => {
    requests.inc({ method, route, status: String(status) });
    duration.observe({ method, route }, seconds);
  };
}
