/**
 * Structured logs: pino, JSON lines on stderr (stdout stays free for command output), one line per
 * lifecycle step. `component` names the part that speaks (api, pool, reconciler, …).
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = process.env.OYA_LOG_LEVEL ?? 'info', name = 'oya'): Logger {
  return pino({ name, level, base: { pid: process.pid } }, pino.destination({ dest: 2, sync: true }));
}

/** A logger that writes nothing, for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
