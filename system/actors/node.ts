/**
 * The internal contract between a supervisor and its children (actors or supervisors), and the
 * runtime state shared by one supervision tree.
 */
import type { ActorEvent, ActorStatus, ChildSpec, Clock, ExitReason, Shutdown } from './types.ts';

/** Shared by every node of one tree. */
export interface Runtime {
  readonly clock: Clock;
  emit(event: ActorEvent): void;
  /** path -> node, for lookup, listActors() and kill(). */
  readonly registry: Map<string, TreeNode>;
}

/** Called by a child when an incarnation ends on its own (crash, kill or normal exit). */
export type ExitListener = (node: TreeNode, incarnation: number, reason: ExitReason) => void;

export interface TreeNode {
  readonly path: string;
  readonly kind: 'actor' | 'supervisor';
  readonly spec: ChildSpec;
  readonly status: ActorStatus;
  readonly incarnation: number;
  /** Set by the parent right after creating the node. */
  onExit: ExitListener;
  /** Starts a new incarnation. Rejects (leaving the node `down`) when init fails. */
  start(): Promise<void>;
  /**
   * Ends the running incarnation gracefully, bounded by the spec's shutdown. `final` = never to be
   * restarted: queued messages are rejected and the node becomes `stopped`; otherwise it is `down`
   * and keeps its mailbox for the next incarnation. Safe on a node that is already down/stopped.
   */
  stop(final: boolean): Promise<void>;
  /** Crashes the running incarnation as if it threw `error`. False when nothing was running. */
  kill(error: unknown): boolean;
  /** Immediate, synchronous teardown of this node and everything under it. */
  destroy(reason: string): void;
  queued(): number;
}

/**
 * Waits for `work` at most `shutdown` ms. Resolves true if it finished in time. `brutal` never
 * waits; `infinity` always does.
 */
export async function within(work: Promise<unknown>, shutdown: Shutdown): Promise<boolean> {
  if (shutdown === 'infinity') {
    await work.catch(() => undefined);
    return true;
  }
  const ms = shutdown === 'brutal' ? 0 : shutdown;
  if (ms <= 0) return false;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Child names are one path segment. */
export function isValidName(name: string): boolean {
  return /^[A-Za-z0-9_.:-]{1,100}$/.test(name);
}
