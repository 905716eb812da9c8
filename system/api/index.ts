/**
 * The REST API of the orchestrator: `startApiServer({ service, ... })` fronts any `BeadService`.
 * See system/api/README.md for routes, bodies, statuses and error codes.
 */
export { startApiServer, ApiOptionsError, type ApiServerOptions, type ApiServerHandle } from './server.ts';
export type {
  BeadService,
  BeadView,
  SubmitOptions,
  SubmitResult,
  HealthReport,
  ComponentStatus,
  EventView,
  EventPage,
  ActorView,
  AdminService,
} from './service.ts';
export {
  BeadInputSchema,
  WorkflowInputSchema,
  EventsQuerySchema,
  parseSubmitRequest,
  type BeadInput,
  type WorkflowInput,
  type SubmitRequest,
} from './schemas.ts';
export { effectiveIdempotencyKey, requestFingerprint, canonicalJson } from './idempotency.ts';
export { ApiError, BeadAlreadyFinishedError, IdempotencyMismatchError, NotFoundError, STATUS_BY_CODE, toHttpError, type ErrorBody } from './errors.ts';
export { PROMETHEUS_CONTENT_TYPE } from './routes.ts';
export { apiMetrics, type RecordRequest } from './metrics.ts';
