/**
 * Chaos hooks under /admin/*: list and kill actors, pause the reconciler.
 *
 * They exist only when the server is started with `admin: { token }`; without it the paths are
 * simply unknown (404), so a production server shows no sign of them. With it, every /admin/*
 * request (even to an unknown admin path) must carry `Authorization: Bearer <token>`, checked
 * before routing so that a caller without the token learns nothing about which routes exist.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { readJsonBody } from './body.ts';
import { UnauthorizedError } from './errors.ts';
import type { Route } from './router.ts';
import { KillBodySchema, ReconcilerBodySchema, parseBody } from './schemas.ts';
import type { AdminService } from './service.ts';

/** Prefix of every admin route. */
export const ADMIN_PREFIX = '/admin/';

/**
 * Throws UnauthorizedError unless the request carries exactly `Bearer <token>`. Both sides are
 * hashed first so the comparison takes the same time whatever the length or content of the guess.
 */
export function assertAdminToken(req: IncomingMessage, token: string): void {
  const header = req.headers['authorization'] ?? '';
  const match = /^Bearer (.+)$/.exec(header);
  const given = createHash('sha256')
    .update(match?.[1] ?? '')
    .digest();
  const expected = createHash('sha256').update(token).digest();
  // Evaluate both so a missing header costs as much as a wrong token.
  const equal = timingSafeEqual(given, expected);
  if (!match || !equal) throw new UnauthorizedError();
}

/** The admin routes, backed by the service's chaos hooks. */
export function adminRoutes(admin: AdminService, bodyLimitBytes: number): Route[] {
  return [
    {
      method: 'GET',
      path: '/admin/actors',
      async handler() {
        return { status: 200, json: { actors: await admin.listActors() } };
      },
    },
    {
      method: 'POST',
      path: '/admin/actors/kill',
      async handler({ req }) {
        const body = parseBody(KillBodySchema, await readJsonBody(req, bodyLimitBytes));
        if ('path' in body) {
          await admin.killActor(body.path);
          return { status: 200, json: { killed: [body.path] } };
        }
        return { status: 200, json: { killed: await admin.killRandom(body.random, body.seed) } };
      },
    },
    {
      method: 'POST',
      path: '/admin/reconciler',
      async handler({ req }) {
        const body = parseBody(ReconcilerBodySchema, await readJsonBody(req, bodyLimitBytes));
        await admin.pauseReconciler(body.paused);
        return { status: 200, json: { paused: body.paused } };
      },
    },
  ];
}
