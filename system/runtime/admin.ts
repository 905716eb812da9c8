/**
 * The chaos hooks behind /admin/* (only served when the orchestrator runs with `admin`): list the
 * supervision tree, crash an actor by path or N random ones (seeded, so a scenario replays the
 * same kills), pause the reconciler.
 */
import type { AdminService, ActorView } from '../api/index.ts';
import { ActorNotFoundError } from '../actors/index.ts';
import type { RuntimeContext } from './context.ts';
import { mulberry32 } from '../util/index.ts';

/** The admin service over the runtime's universe. */
export function createAdmin(ctx: RuntimeContext): AdminService {
  const universe = () => {
    if (ctx.universe === undefined) throw new ActorNotFoundError('universe');
    return ctx.universe;
  };
  return {
    listActors(): ActorView[] {
      return universe()
        .listActors()
        .map((a) => ({ path: a.path, status: a.status, restarts: a.restarts, kind: a.kind, incarnation: a.incarnation, queued: a.queued }));
    },
    killActor(path: string): void {
      universe().kill(path, 'killed through /admin');
      ctx.log.warn({ component: 'admin', path }, 'actor killed on request');
    },
    killRandom(n: number, seed?: number): string[] {
      const random = mulberry32(seed ?? ctx.options.seed);
      const killed: string[] = [];
      for (let i = 0; i < n; i++) {
        const path = universe().killRandom(random, { reason: 'killed at random through /admin' });
        if (path === undefined) break;
        killed.push(path);
      }
      ctx.log.warn({ component: 'admin', killed }, 'random actors killed on request');
      return killed;
    },
    pauseReconciler(paused: boolean): void {
      ctx.reconcilerPaused = paused;
      ctx.log.warn({ component: 'admin', paused }, paused ? 'reconciler paused' : 'reconciler resumed');
    },
  };
}
