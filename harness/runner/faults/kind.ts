/**
 * What one fault kind (one `do:` of the scenario's fault timeline) is: its scenario schema, its
 * cross-field checks, where it can run, and how it strikes and heals. One file per kind under
 * this folder (as Toxiproxy keeps one file per toxic and k6 one per executor); the registry
 * (index.ts) lists them. The timeline (timeline.ts) owns the clock: a kind never sleeps until
 * its `at` or `at + for`, it acts when called.
 */
import { z } from 'zod';
import type { Proxy } from 'toxiproxy-node-client';
import type { EnvCapability, Environment, EnvironmentOptions } from '../../env/providers/types.ts';
import { unknownBeadRef } from '../../scenario/sections/bead-ref.ts';
import type { RawIssue } from '../../scenario/sections/issue.ts';
import type { WorkloadIndex } from '../../scenario/sections/workload.ts';
import { durationSchema } from '../../scenario/units.ts';
import type { ApiClient } from '../api-client.ts';
import type { WorkloadPlan } from '../plan.ts';
import type { SutHandle } from '../sut.ts';

/** Every kind's `at`. */
export const atSchema = durationSchema.meta({ description: 'When the fault starts, from the run start.' });
/** `for` of a kind that lasts. */
export const windowRequired = durationSchema.meta({ description: 'How long the fault lasts before it is healed.' });
/** `for` of a kind that may be instant. */
export const windowOptional = windowRequired.optional();

/** What a kind's `validate` sees of the rest of the scenario. */
export interface FaultCheckContext {
  totalMs: number;
  admin: boolean;
  workload: WorkloadIndex | undefined;
  kind?: string | undefined;
}

/** What a kind acts on during a run. */
export interface FaultAct<F> {
  /** The scenario's entry, resolved. */
  fault: F;
  /** Position of the fault in the timeline. */
  index: number;
  /** Which act of the fault this is (0 = the first; repeats of `every` count up). */
  act: number;
  env: Environment;
  sut: SutHandle;
  api: ApiClient;
  plan: WorkloadPlan;
  /** Aborted when the run is torn down. */
  signal: AbortSignal;
  /** The fault's next seeded draw in [0, 1) (planned in plan.ts, so a seed replays the same choices). */
  draw: () => number;
  /** What the fault hit (pids, toxic names…), recorded on the timeline. */
  details: Record<string, unknown>;
}

/** An added toxic, as the Toxiproxy client returns it. */
export type Toxic = Awaited<ReturnType<Proxy['addToxic']>>;

/**
 * One `do:` kind. `S` is what an act leaves for its heal (a toxic, a stop switch). The hooks are
 * declared as methods, not function-typed properties, so that a kind of one `do` is also a plain
 * `FaultKind` (parameters of methods compare both ways): the form the registry and the timeline hold,
 * which hand each kind only entries of its own `do` (the registry is looked up by it).
 */
export interface FaultKind<D extends string = string, Shape extends z.core.$ZodLooseShape = z.core.$ZodLooseShape, S = unknown> {
  do: D;
  /** One line for the scenario README and schema.json. */
  description: string;
  schema: z.ZodObject<{ at: typeof atSchema; do: z.ZodLiteral<D> } & Shape, z.core.$strict>;
  /**
   * The environment capability it needs (harness/env/providers/types.ts EnvCapability), the one
   * way a kind says where it can run. @default none: proxy toxics and processes, every environment has them
   */
  needs?: EnvCapability;
  /** Cross-field checks of one entry; paths are relative to the entry. */
  validate?(fault: FaultOf<Shape, D>, ctx: FaultCheckContext): RawIssue[];
  /** When it acts: its first act at `at`, and any repeats inside the window. @default [at] */
  actsAt?(fault: FaultOf<Shape, D>): number[];
  /** What the environment must provide for it (e.g. a size-limited data disk). */
  environmentOptions?(fault: FaultOf<Shape, D>): Partial<EnvironmentOptions>;
  /** Variables the orchestrator must be started with for it. */
  sutEnv?(fault: FaultOf<Shape, D>, env: Pick<Environment, 'toxiproxyUrl'>): Record<string, string>;
  /** Strikes once; resolves with what its heal needs. Throws when it could not strike. */
  inject(act: FaultAct<FaultOf<Shape, D>>): Promise<S>;
  /** Undoes one act. `aborting`: the run is being torn down (skip restarts). @default nothing to undo */
  heal?(act: FaultAct<FaultOf<Shape, D>>, state: S, aborting: boolean): Promise<void>;
}

/** The resolved scenario entry of a kind with this shape. */
export type FaultOf<Shape extends z.core.$ZodLooseShape, D extends string> = z.output<z.ZodObject<{ at: typeof atSchema; do: z.ZodLiteral<D> } & Shape>>;

/** Declares a kind: builds its strict schema from its parameters, so each file states them once. */
export function defineFault<D extends string, Shape extends z.core.$ZodLooseShape, S>(
  spec: Omit<FaultKind<D, Shape, S>, 'schema'> & { params: Shape },
): FaultKind<D, Shape, S> {
  const { params, ...rest } = spec;
  const schema = z.strictObject({ at: atSchema, do: z.literal(spec.do), ...params }).meta({ description: spec.description });
  return Object.freeze({ ...rest, schema: schema });
}

/** `random`, `busiest`, or `<workflow>.<bead>`: the worker running that bead. */
export const TARGET_PATTERN = '^(?:random|busiest|[a-z0-9]+(?:-[a-z0-9]+)*\\.[a-z0-9]+(?:-[a-z0-9]+)*)$';
export const targetSchema = z
  .string()
  .regex(new RegExp(TARGET_PATTERN), { error: (iss) => `${JSON.stringify(iss.input)} is not a target; use random, busiest or <workflow>.<bead>` })
  .default('random')
  .meta({ description: 'Which worker: random (seeded), busiest, or <workflow>.<bead> (the worker running that bead).' });

/** A `<workflow>.<bead>` target must name a bead of the workload. */
export function checkTarget(target: string, workload: WorkloadIndex | undefined): RawIssue[] {
  if (!/^[^.]+\..+$/.test(target) || !workload) return [];
  const unknown = unknownBeadRef(target, workload.workflows);
  return unknown === undefined ? [] : [{ path: ['target'], message: unknown }];
}
