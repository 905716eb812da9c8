/**
 * `system`: how the orchestrator under test is configured for this run: pool size, the simulated
 * agent's defaults, reconcile tick, timeouts, admin hooks, and test-only defects used by the
 * harness self-check (run against a deliberately broken system to prove the gates fail).
 */
import { z } from 'zod';
import { durationSchema } from '../units.ts';
import { DEFECTS } from '../../../system/defects.ts';
import type { RawIssue } from './issue.ts';

/** Deliberate defects the orchestrator can be started with (test-only flags): the system's own list. */
export { DEFECTS };
export type Defect = (typeof DEFECTS)[number];

/** Defaults for every bead's simulated agent; phases and beads may override them. */
export const agentDefaultsSchema = z
  .strictObject({
    steps: z.int().min(1).max(1000).default(5).meta({ description: 'Steps per bead; a checkpoint follows each step.' }),
    stepTime: durationSchema.prefault('200ms').meta({ description: 'Time one step takes.' }),
    payloadBytes: z
      .int()
      .min(0)
      .max(64 * 1024 * 1024)
      .default(0)
      .meta({ description: 'Bytes of output per step.' }),
    sideEffects: z.boolean().default(true).meta({ description: 'Apply one idempotency-keyed external side effect per step.' }),
  })
  .prefault({});

export const systemSchema = z
  .strictObject({
    workers: z.int().min(1).max(256).default(20).meta({ description: 'Warm worker processes in the pool.' }),
    agent: agentDefaultsSchema,
    reconcileTick: durationSchema.prefault('1s').meta({ description: 'Reconciliation loop period.' }),
    timeouts: z
      .strictObject({
        bead: durationSchema.prefault('10m').meta({ description: 'A bead running longer than this fails.' }),
        heartbeat: durationSchema.prefault('3s').meta({ description: 'A worker silent this long is presumed dead.' }),
        shutdown: durationSchema.prefault('30s').meta({ description: 'Graceful shutdown budget.' }),
        db: durationSchema.prefault('5s').meta({ description: 'Timeout of each database call.' }),
      })
      .prefault({}),
    admin: z.boolean().default(false).meta({ description: 'Enable the /admin chaos hooks (needed by actors.kill).' }),
    defects: z
      .array(z.enum(DEFECTS, { error: (iss) => `unknown defect ${JSON.stringify(iss.input)}; known: ${DEFECTS.join(', ')}` }))
      .default([])
      .meta({ description: 'Test-only defects for the harness self-check; never set in real scenarios.' }),
  })
  .prefault({})
  .meta({ id: 'System', description: 'The orchestrator under test.' });

export type SystemConfig = z.output<typeof systemSchema>;

/** Each defect at most once; a heartbeat slower than the reconcile tick cannot be detected in time. */
export function checkSystem(system: SystemConfig): RawIssue[] {
  const issues: RawIssue[] = [];
  system.defects.forEach((defect, i) => {
    if (system.defects.indexOf(defect) !== i) issues.push({ path: ['system', 'defects', i], message: `defect "${defect}" is listed twice` });
  });
  if (system.timeouts.heartbeat < system.reconcileTick) {
    issues.push({ path: ['system', 'timeouts', 'heartbeat'], message: 'heartbeat timeout must be at least one reconcileTick' });
  }
  return issues;
}
