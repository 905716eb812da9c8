/**
 * Errors raised by the metrics module. Codes are stable (`HARN_METRICS_*`, `HARN_ARRIVAL_*`).
 */
import { OyaError } from '../../system/errors.ts';

/** A latency that is not a finite number (NaN, Infinity): a bug in the caller's arithmetic. */
export class MetricsInvalidValueError extends OyaError {
  constructor(metric: string, value: unknown) {
    super('HARN_METRICS_INVALID_VALUE', `metric ${metric}: cannot record ${String(value)}, a finite number is required`, {
      details: { metric, value: String(value) },
    });
  }
}

/** An encoded histogram (from a report journal) cannot be decoded. */
export class MetricsDecodeError extends OyaError {
  constructor(reason: string, cause?: unknown) {
    super('HARN_METRICS_DECODE', `cannot decode histogram: ${reason}`, { details: { reason }, cause });
  }
}

/** A recorder was used after destroy(): with WebAssembly histograms that would touch freed memory. */
export class MetricsDestroyedError extends OyaError {
  constructor(metric: string) {
    super('HARN_METRICS_DESTROYED', `metric ${metric} was used after destroy()`, { details: { metric } });
  }
}

/** Bad arrival-schedule parameters (count, rate, arrival model, seed). */
export class ArrivalInvalidError extends OyaError {
  constructor(field: string, value: unknown, allowed: string) {
    super('HARN_ARRIVAL_INVALID', `arrival schedule: ${field} = ${String(value)} is invalid; ${allowed}`, {
      details: { field, value: String(value) },
    });
  }
}
