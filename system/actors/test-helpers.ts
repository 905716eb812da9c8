/**
 * Shared by the actor tests: a manual clock, an event recorder and a deferred.
 */
import { UniverseSupervisor, type UniverseOptions } from './universe.ts';
import type { ActorEvent } from './types.ts';
import { onTestFinished } from 'vitest';

export class ManualClock {
  t = 0;
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** What {@link startUniverse} hands a test. */
export interface StartedUniverse {
  universe: UniverseSupervisor;
  events: ActorEvent[];
  next: (match: (e: ActorEvent) => boolean, timeoutMs?: number) => Promise<ActorEvent>;
}

/** A started universe that records its events and is destroyed when the test ends, pass or fail. */
export async function startUniverse(options: UniverseOptions = {}): Promise<StartedUniverse> {
  const events: ActorEvent[] = [];
  const waiters: { match: (e: ActorEvent) => boolean; resolve: (e: ActorEvent) => void }[] = [];
  const universe = await UniverseSupervisor.start({
    ...options,
    onEvent: (e) => {
      events.push(e);
      for (const w of [...waiters]) {
        if (w.match(e)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    },
  });
  onTestFinished(() => universe.destroy('test finished'));
  /** Resolves with the first event from now on that matches. */
  const next = (match: (e: ActorEvent) => boolean, timeoutMs = 2_000): Promise<ActorEvent> =>
    new Promise((resolve, reject) => {
      const seen = () => JSON.stringify(events.map((e) => `${e.type} ${e.path}`));
      const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms; saw ${seen()}`)), timeoutMs);
      waiters.push({
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  return { universe, events, next };
}

export const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));
