/**
 * A supervisor: starts its children in order, stops them in reverse order, and restarts them by
 * strategy when one exits, within its restart intensity. Past the intensity it gives up: it stops
 * every child and reports its own crash (ORCH_SUPERVISOR_INTENSITY) to its parent, which treats it
 * like any other crashed child ("escalation").
 *
 * Exits are handled one at a time (a promise chain), so two children crashing together never
 * interleave two restarts; an exit report from an incarnation that is already gone is ignored.
 */
import { ActorCell } from './actor-cell.ts';
import { ActorSpecError, ActorStartFailedError, SupervisorIntensityError } from './errors.ts';
import { isValidName, within, type ExitListener, type Runtime, type TreeNode } from './node.ts';
import type { ActorStatus, ChildSpec, ExitReason, Intensity, Strategy, SupervisorSpec } from './types.ts';

/** OTP's default intensity is 1 restart in 5 s; we allow a few more for flaky agent hosts. */
export const DEFAULT_INTENSITY: Intensity = { maxRestarts: 3, periodMs: 5_000 };

const noExitListener: ExitListener = () => undefined;

export class SupervisorNode implements TreeNode {
  readonly kind = 'supervisor' as const;
  status: ActorStatus = 'new';
  incarnation = 0;
  onExit: ExitListener = noExitListener;
  readonly strategy: Strategy;
  readonly intensity: Intensity;

  private children: TreeNode[] = [];
  private restartTimes: number[] = [];
  private ops: Promise<unknown> = Promise.resolve();
  /** Exits reported while this supervisor was still starting its children; handled once it runs. */
  private exitsDuringStart: [TreeNode, number, ExitReason][] = [];

  constructor(
    readonly spec: SupervisorSpec,
    readonly path: string,
    private readonly runtime: Runtime,
  ) {
    this.strategy = spec.strategy ?? 'one_for_one';
    this.intensity = { ...DEFAULT_INTENSITY, ...spec.intensity };
    if (!(this.intensity.maxRestarts >= 0) || !(this.intensity.periodMs > 0)) {
      throw new ActorSpecError(path, `intensity must be maxRestarts >= 0 and periodMs > 0, got ${JSON.stringify(spec.intensity)}`);
    }
    for (const child of spec.children ?? []) this.children.push(this.createNode(child));
  }

  /** The children, in start order. */
  get childNodes(): readonly TreeNode[] {
    return this.children;
  }

  queued(): number {
    return 0;
  }

  async start(): Promise<void> {
    this.incarnation++;
    this.status = 'starting';
    this.restartTimes = [];
    for (let i = 0; i < this.children.length; i++) {
      const child = this.children[i]!;
      try {
        await child.start();
      } catch (err) {
        // Undo in reverse order, as OTP does when start_link fails half way.
        for (const started of this.children.slice(0, i).reverse()) await started.stop(true);
        for (const rest of this.children.slice(i)) rest.destroy('sibling failed to start');
        this.exitsDuringStart = [];
        this.status = 'down';
        throw new ActorStartFailedError(child.path, err);
      }
    }
    this.status = 'running';
    this.runtime.emit(
      this.incarnation === 1
        ? { type: 'started', path: this.path, kind: 'supervisor', incarnation: this.incarnation }
        : { type: 'restarted', path: this.path, kind: 'supervisor', incarnation: this.incarnation },
    );
    // A child that crashed while a later sibling was still starting must not stay down.
    const early = this.exitsDuringStart;
    this.exitsDuringStart = [];
    for (const [child, incarnation, reason] of early) void this.serialize(() => this.handleExit(child, incarnation, reason)).catch(() => undefined);
  }

  /** Adds a child at the end (it starts last, stops first). Started now if this supervisor runs. */
  async startChild(spec: ChildSpec): Promise<TreeNode> {
    const node = this.createNode(spec);
    this.children.push(node);
    // While starting, the start loop reaches the new child itself; while down it starts with us.
    if (this.status !== 'running') return node;
    await this.serialize(async () => {
      try {
        await node.start();
      } catch (err) {
        this.remove(node);
        node.destroy('failed to start');
        throw new ActorStartFailedError(node.path, err);
      }
    });
    return node;
  }

  /** Stops a child for good and forgets it. */
  async stopChild(name: string): Promise<void> {
    const node = this.children.find((c) => c.spec.name === name);
    if (node === undefined) return;
    await this.serialize(async () => {
      this.remove(node);
      await node.stop(true);
    });
  }

  async stop(final: boolean): Promise<void> {
    if (this.status === 'running' || this.status === 'starting') {
      this.status = 'stopping';
      const shutdown = this.spec.shutdown ?? 'infinity';
      // Let an exit being handled finish first, so we never stop a child while it is restarted.
      await this.ops.catch(() => undefined);
      const done = this.stopChildren(final);
      if (!(await within(done, shutdown))) this.destroyChildren('supervisor shutdown timeout');
      this.status = 'down';
      this.runtime.emit({ type: 'stopped', path: this.path, kind: 'supervisor', incarnation: this.incarnation });
    } else if (final) {
      await this.stopChildren(true);
    }
    if (final) this.status = 'stopped';
  }

  kill(error: unknown): boolean {
    if (this.status !== 'running') return false;
    const incarnation = this.incarnation;
    this.status = 'stopping';
    this.runtime.emit({ type: 'crashed', path: this.path, kind: 'supervisor', incarnation, error });
    // A crashed supervisor takes its children down with it; its parent decides what comes back.
    void this.ops
      .catch(() => undefined)
      .then(() => this.stopChildren(false))
      .then(() => {
        this.status = 'down';
        this.onExit(this, incarnation, { kind: 'crash', error });
      });
    return true;
  }

  destroy(reason: string): void {
    this.destroyChildren(reason);
    this.status = 'stopped';
  }

  private createNode(spec: ChildSpec): TreeNode {
    const path = `${this.path}/${spec.name}`;
    if (!isValidName(spec.name)) throw new ActorSpecError(path, 'name must match [A-Za-z0-9_.:-]{1,100}');
    if (this.children.some((c) => c.spec.name === spec.name) || this.runtime.registry.has(path)) {
      throw new ActorSpecError(path, 'a child with this name already exists');
    }
    const node: TreeNode = spec.kind === 'actor' ? new ActorCell(spec, path, this.runtime) : new SupervisorNode(spec, path, this.runtime);
    node.onExit = (child, incarnation, reason) => {
      void this.serialize(() => this.handleExit(child, incarnation, reason)).catch(() => undefined);
    };
    this.runtime.registry.set(path, node);
    return node;
  }

  private serialize<T>(op: () => Promise<T>): Promise<T> {
    const next = this.ops.catch(() => undefined).then(op);
    this.ops = next;
    return next;
  }

  private async handleExit(child: TreeNode, incarnation: number, reason: ExitReason): Promise<void> {
    if (this.status === 'starting') {
      this.exitsDuringStart.push([child, incarnation, reason]);
      return;
    }
    if (this.status !== 'running' || child.incarnation !== incarnation || child.status !== 'down') return;
    if (!this.children.includes(child)) return;
    const type = child.spec.restart ?? 'permanent';
    if (type === 'temporary' || (type === 'transient' && reason.kind === 'normal')) {
      await child.stop(true);
      if (type === 'temporary') this.remove(child);
      return;
    }
    await this.restart(child, reason.kind === 'crash' ? reason.error : 'normal exit');
  }

  private async restart(failed: TreeNode, cause: unknown): Promise<void> {
    for (;;) {
      if (this.status !== 'running') return;
      if (!this.allowRestart()) return this.giveUp(cause);
      const group = this.restartGroup(failed);
      for (const node of [...group].reverse()) await node.stop(false);
      let retry = false;
      for (const node of group) {
        if (node !== failed && node.spec.restart === 'temporary') {
          // OTP: temporary children are never restarted, even when a sibling's crash stopped them.
          this.remove(node);
          await node.stop(true);
          continue;
        }
        try {
          await node.start();
        } catch (err) {
          this.runtime.emit({ type: 'crashed', path: node.path, kind: node.kind, incarnation: node.incarnation, error: err });
          failed = node;
          cause = err;
          retry = true;
          break;
        }
      }
      if (!retry) return;
    }
  }

  private restartGroup(failed: TreeNode): TreeNode[] {
    if (this.strategy === 'one_for_one') return [failed];
    if (this.strategy === 'one_for_all') return [...this.children];
    return this.children.slice(this.children.indexOf(failed));
  }

  /** Records a restart if the intensity allows one more in the current window. */
  private allowRestart(): boolean {
    const now = this.runtime.clock.now();
    this.restartTimes = this.restartTimes.filter((t) => now - t < this.intensity.periodMs);
    if (this.restartTimes.length >= this.intensity.maxRestarts) return false;
    this.restartTimes.push(now);
    return true;
  }

  private async giveUp(cause: unknown): Promise<void> {
    const incarnation = this.incarnation;
    const error = new SupervisorIntensityError(this.path, this.intensity.maxRestarts, this.intensity.periodMs, cause);
    this.status = 'stopping';
    await this.stopChildren(true);
    this.status = 'down';
    this.runtime.emit({ type: 'escalated', path: this.path, kind: 'supervisor', error });
    this.onExit(this, incarnation, { kind: 'crash', error });
  }

  private async stopChildren(final: boolean): Promise<void> {
    for (const child of [...this.children].reverse()) await child.stop(final);
  }

  private destroyChildren(reason: string): void {
    for (const child of [...this.children].reverse()) child.destroy(reason);
  }

  private remove(node: TreeNode): void {
    this.children = this.children.filter((c) => c !== node);
    for (const path of [...this.runtime.registry.keys()]) {
      if (path === node.path || path.startsWith(`${node.path}/`)) this.runtime.registry.delete(path);
    }
  }
}
