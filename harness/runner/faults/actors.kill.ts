/**
 * actors.kill: kill supervised actors inside the orchestrator through its /admin hook; the
 * supervisors must restart them. With `every` it strikes again inside `for`: each strike is an
 * act of its own on the timeline (planned in plan.ts, its failure recorded, never swallowed).
 */
import { z } from 'zod';
import { durationSchema } from '../../scenario/units.ts';
import { defineFault, windowOptional } from './kind.ts';

export default defineFault({
  do: 'actors.kill',
  description: 'Kill supervised actors inside the orchestrator (via /admin hooks); supervisors must restart them.',
  params: {
    for: windowOptional,
    count: z.int().min(1).default(1).meta({ description: 'Actors killed each time.' }),
    every: durationSchema.optional().meta({ description: 'Repeat every this long during `for`.' }),
  },
  validate(fault, ctx) {
    const issues = [];
    if (!ctx.admin) issues.push({ path: ['do'], message: 'actors.kill uses the /admin hooks: set system.admin: true' });
    if (fault.every !== undefined && fault.for === undefined) issues.push({ path: ['every'], message: 'every needs a `for` window to repeat in' });
    if (fault.every !== undefined && fault.every <= 0) issues.push({ path: ['every'], message: 'every must be above zero' });
    return issues;
  },
  actsAt(fault) {
    const acts = [fault.at];
    if (fault.every !== undefined && fault.every > 0 && fault.for !== undefined) {
      for (let t = fault.at + fault.every; t < fault.at + fault.for; t += fault.every) acts.push(t);
    }
    return acts;
  },
  async inject({ fault, api, draw, details }) {
    const res = await api.killActors(fault.count, Math.floor(draw() * 2 ** 31));
    if (res.status !== 200) throw new Error(`POST /admin/actors/kill answered ${res.status}: ${JSON.stringify(res.body)}`);
    ((details.killed ??= []) as unknown[]).push((res.body as { killed?: unknown }).killed);
  },
});
