/**
 * The scheduler: the bead model and its schemas, DAG checks and order, and the ready queue
 * (priority, fairness between workflows, concurrency, failure propagation). Pure, in-process.
 */
export {
  BeadIdSchema,
  BeadInputSchema,
  DependencySchema,
  DependencyTypeSchema,
  WorkflowInputSchema,
  PRIORITIES,
  FINAL_QUEUE_STATES,
  DEFAULT_BEAD_TIMEOUT_MS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_PRIORITY,
  blockingDependencies,
  formatPath,
  parseBead,
  parseWorkflow,
  type Bead,
  type BeadInput,
  type QueueState,
  type Dependency,
  type Priority,
  type Workflow,
  type WorkflowInput,
} from './bead.ts';
export { findCycle, topologicalOrder, validateDag, type DagNode } from './dag.ts';
export { ReadyQueue, type FinishedDependency, type QueueEntry, type ReadyQueueOptions } from './ready-queue.ts';
export {
  BeadInvalidError,
  BeadNotFoundError,
  BeadTransitionError,
  DagCycleError,
  DagDuplicateIdError,
  DagUnknownDependencyError,
  SchedulerOptionError,
} from './errors.ts';
