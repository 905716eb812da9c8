/**
 * Per-bead overrides of the simulated agent: scripted failures, crashes, hangs and slow steps.
 * Used in `workload[i].agent` (every bead of a phase) and `workload[i].workflow.beads[j].agent`.
 */
import { z } from 'zod';
import { durationSchema } from '../units.ts';
import type { PathSegment, RawIssue } from './issue.ts';

const step = z.int().min(1);

export const agentScriptSchema = z
  .strictObject({
    steps: z.int().min(1).max(1000).optional().meta({ description: 'Steps for these beads (default: system.agent.steps).' }),
    stepTime: durationSchema.optional().meta({ description: 'Time per step (default: system.agent.stepTime).' }),
    failAt: step.optional().meta({ description: 'Step (1-based) at which the agent reports a failure.' }),
    failTimes: z.int().min(1).optional().meta({ description: 'How many attempts fail at failAt before one succeeds (default 1).' }),
    crashAt: step.optional().meta({ description: 'Step at which the worker process exits abruptly (once).' }),
    hangAt: step.optional().meta({ description: 'Step at which the agent stops answering (once).' }),
    slowSteps: z
      .strictObject({ steps: z.array(step).min(1), stepTime: durationSchema })
      .optional()
      .meta({ description: 'Steps that take stepTime instead of the default.' }),
    payloadBytes: z
      .int()
      .min(0)
      .max(64 * 1024 * 1024)
      .optional()
      .meta({ description: 'Output bytes per step.' }),
    priority: z.int().min(0).max(4).optional().meta({ description: 'Queue priority, 0 = highest … 4.' }),
    timeout: durationSchema.optional().meta({ description: 'Per-bead timeout (default: system.timeouts.bead).' }),
  })
  .meta({ id: 'AgentScript', description: 'Simulated agent overrides for these beads.' });

export type AgentScript = z.output<typeof agentScriptSchema>;

/** Steps named by the script must exist: `failAt: 7` on a 5-step bead would never fire. */
export function checkAgentScript(script: AgentScript, defaultSteps: number, at: PathSegment[]): RawIssue[] {
  const steps = script.steps ?? defaultSteps;
  const issues: RawIssue[] = [];
  for (const key of ['failAt', 'crashAt', 'hangAt'] as const) {
    const value = script[key];
    if (value !== undefined && value > steps) {
      issues.push({ path: [...at, key], message: `${key} is step ${value} but these beads have ${steps} steps` });
    }
  }
  script.slowSteps?.steps.forEach((s, i) => {
    if (s > steps) issues.push({ path: [...at, 'slowSteps', 'steps', i], message: `step ${s} does not exist (${steps} steps)` });
  });
  if (script.failTimes !== undefined && script.failAt === undefined) {
    issues.push({ path: [...at, 'failTimes'], message: 'failTimes needs failAt (the step that fails)' });
  }
  return issues;
}
