/**
 * The actor runtime: typed mailboxes, supervisors (OTP strategies, restart intensity) and the
 * UniverseSupervisor root with a path registry. See README.md for the crash semantics.
 */
export { UniverseSupervisor, UNIVERSE, DEFAULT_TIERS, type UniverseOptions } from './universe.ts';
export { DEFAULT_ASK_TIMEOUT_MS, DEFAULT_ACTOR_SHUTDOWN_MS } from './actor-cell.ts';
export { DEFAULT_INTENSITY } from './supervisor.ts';
export { Deque } from './deque.ts';
export {
  actor,
  supervisor,
  monotonicClock,
  type ActorContext,
  type ActorEvent,
  type ActorEventListener,
  type ActorInfo,
  type ActorRef,
  type ActorSpec,
  type ActorStatus,
  type AskOptions,
  type Behaviour,
  type ChildSpec,
  type Clock,
  type ExitReason,
  type Intensity,
  type RestartType,
  type Shutdown,
  type Strategy,
  type SupervisorSpec,
} from './types.ts';
export {
  ActorAskTimeoutError,
  ActorCrashedError,
  ActorKilledError,
  ActorNotFoundError,
  ActorSpecError,
  ActorStartFailedError,
  ActorStoppedError,
  SupervisorIntensityError,
} from './errors.ts';
