/**
 * The root of the supervision tree, its registry of paths, and the admin hooks (listActors, kill).
 *
 * `UniverseSupervisor.start()` builds `universe` with the tier-1 supervisors (storage, scheduling,
 * workers, api by default), starts them in order and returns the handle the runtime keeps:
 * children are added later by spec (`startChild('universe/workers', actor(...))`), found by path
 * (`lookup('universe/workers/pool')`) and crashed on purpose by the chaos API (`kill(path)`).
 */
import { ActorCell } from './actor-cell.ts';
import { ActorKilledError, ActorNotFoundError, ActorSpecError } from './errors.ts';
import type { Runtime, TreeNode } from './node.ts';
import { SupervisorNode } from './supervisor.ts';
import {
  monotonicClock,
  supervisor,
  type ActorEvent,
  type ActorEventListener,
  type ActorInfo,
  type ActorRef,
  type ActorSpec,
  type Clock,
  type Intensity,
  type Strategy,
  type SupervisorSpec,
} from './types.ts';

/** The root's path: every other path starts with `universe/`. */
export const UNIVERSE = 'universe';

/** The tier-1 supervisors made when the options name none. */
export const DEFAULT_TIERS: readonly string[] = ['storage', 'scheduling', 'workers', 'api'];

export interface UniverseOptions {
  /** Tier-1 supervisors, started in this order (stopped in reverse). @default the four DEFAULT_TIERS, one_for_one, empty */
  tiers?: SupervisorSpec[];
  /** The root's strategy over its tiers. @default 'one_for_one' */
  strategy?: Strategy;
  /** The root's restart intensity. @default DEFAULT_INTENSITY */
  intensity?: Partial<Intensity>;
  /** For restart-intensity windows. @default monotonicClock */
  clock?: Clock;
  /** Receives every lifecycle event (also available through on()). */
  onEvent?: ActorEventListener;
  /**
   * The root itself gave up (its intensity was exceeded): everything is stopped. The runtime
   * should exit the process non-zero and let its own supervisor (systemd, the harness) restart it.
   */
  onGiveUp?: (error: unknown) => void;
}

export class UniverseSupervisor {
  private readonly listeners = new Set<ActorEventListener>();
  private readonly runtime: Runtime;
  private readonly root: SupervisorNode;
  private closing: Promise<void> | undefined;

  private constructor(private readonly options: UniverseOptions) {
    if (options.onEvent) this.listeners.add(options.onEvent);
    this.runtime = {
      clock: options.clock ?? monotonicClock,
      registry: new Map(),
      emit: (event) => this.emit(event),
    };
    const tiers = options.tiers ?? DEFAULT_TIERS.map((name) => supervisor(name));
    const rootSpec = supervisor(UNIVERSE, { strategy: options.strategy ?? 'one_for_one', intensity: options.intensity ?? {}, children: tiers });
    this.root = new SupervisorNode(rootSpec, UNIVERSE, this.runtime);
    this.runtime.registry.set(UNIVERSE, this.root);
    this.root.onExit = (_node, _incarnation, reason) => {
      if (reason.kind === 'crash') this.options.onGiveUp?.(reason.error);
    };
  }

  /** Builds the tree and starts every tier in order. */
  static async start(options: UniverseOptions = {}): Promise<UniverseSupervisor> {
    const universe = new UniverseSupervisor(options);
    await universe.root.start();
    return universe;
  }

  /** Subscribes to lifecycle events; returns the unsubscribe function. */
  on(listener: ActorEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The root's status: `running` until close(), destroy() or giving up. */
  get status(): string {
    return this.root.status;
  }

  /** Adds an actor under a supervisor (by path) and starts it; resolves with its ref. */
  startChild<M, R>(parentPath: string, spec: ActorSpec<M, R>): Promise<ActorRef<M, R>>;
  /** Adds a supervisor (with its children) under a supervisor and starts it. */
  startChild(parentPath: string, spec: SupervisorSpec): Promise<string>;
  async startChild(parentPath: string, spec: ActorSpec | SupervisorSpec): Promise<unknown> {
    const node = await this.supervisorAt(parentPath).startChild(spec);
    return node instanceof ActorCell ? node : node.path;
  }

  /** Stops a child for good and removes it (and its subtree) from the registry. */
  async stopChild(path: string): Promise<void> {
    const cut = path.lastIndexOf('/');
    if (cut < 0) throw new ActorNotFoundError(path);
    this.node(path);
    await this.supervisorAt(path.slice(0, cut)).stopChild(path.slice(cut + 1));
  }

  /** The actor at `path`. The ref stays valid across restarts. */
  lookup<M, R = void>(path: string): ActorRef<M, R> {
    const node = this.node(path);
    if (!(node instanceof ActorCell)) throw new ActorSpecError(path, 'is a supervisor, not an actor');
    return node as ActorCell<M, R>;
  }

  /** Every node, supervisors included, in path order. */
  listActors(): ActorInfo[] {
    return [...this.runtime.registry.values()]
      .map((n) => ({
        path: n.path,
        kind: n.kind,
        status: n.status,
        incarnation: n.incarnation,
        restarts: Math.max(0, n.incarnation - 1),
        queued: n.queued(),
      }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /**
   * Crashes the actor or supervisor at `path` as if it threw ORCH_ACTOR_KILLED: the message it
   * was handling is dropped (its ask rejects with ORCH_ACTOR_CRASHED) and its supervisor applies
   * the usual restart rules. Returns false when it was not running (down, stopping, stopped).
   */
  kill(path: string, reason = 'killed by request'): boolean {
    if (path === UNIVERSE) throw new ActorSpecError(path, 'the root cannot be killed; use destroy()');
    return this.node(path).kill(new ActorKilledError(path, reason));
  }

  /**
   * Kills one running actor picked with `random` (0 <= x < 1, seeded by the caller for
   * reproducible chaos). Only actors under `under` when given. Returns the path, or undefined when
   * no actor was running.
   */
  killRandom(random: () => number, options: { under?: string; reason?: string } = {}): string | undefined {
    const prefix = options.under === undefined ? `${UNIVERSE}/` : `${options.under}/`;
    const running = this.listActors().filter((a) => a.kind === 'actor' && a.status === 'running' && a.path.startsWith(prefix));
    const pick = running[Math.floor(random() * running.length)];
    if (pick === undefined) return undefined;
    this.kill(pick.path, options.reason ?? 'killed at random');
    return pick.path;
  }

  /** Graceful: stops the tiers in reverse order, each child within its shutdown. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.root.stop(true);
    return this.closing;
  }

  /** Immediate: abandons every handler, rejects every pending ask with ORCH_ACTOR_STOPPED. */
  destroy(reason = 'universe destroyed'): void {
    this.root.destroy(reason);
    this.closing ??= Promise.resolve();
  }

  private node(path: string): TreeNode {
    const node = this.runtime.registry.get(path);
    if (node === undefined) throw new ActorNotFoundError(path);
    return node;
  }

  private supervisorAt(path: string): SupervisorNode {
    const node = this.node(path);
    if (!(node instanceof SupervisorNode)) throw new ActorSpecError(path, 'is an actor, not a supervisor');
    return node;
  }

  private emit(event: ActorEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken metrics hook must never take the supervision tree down with it.
      }
    }
  }
}
