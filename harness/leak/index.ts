/**
 * The leak toolkit: sample RSS/CPU/heap of the system under test, take heap snapshots through the
 * inspector, find leaks with memlab, attribute them to our code, and gate on the results.
 * See README.md. Most callers need only {@link startLeakWatch}.
 */
export {
  snapshotSchedule,
  startLeakWatch,
  SNAPSHOT_PHASE_AT,
  type LeakWatch,
  type LeakWatchOptions,
  type LeakWatchReport,
  type WatchedSnapshot,
} from './watch.ts';
export { clustersGrowingAcross, ownerIds } from './growth.ts';
export { startProcessSampler, type Clock, type LeakSample, type ProcessSampler, type ProcessSamplerOptions, type SampledPids } from './sampler.ts';
export { readProcessStat, parseCpuSeconds, parseVmRssBytes, type ProcessStat } from './proc.ts';
export { connectInspector, discoverInspectorUrl, listeningPortsOf, parseInspectorBanner, waitForInspectorBanner, type InspectorSession } from './inspector.ts';
export { takeHeapSnapshot, readHeapUsed, type HeapSnapshotFile } from './snapshot.ts';
export {
  findNodeLeaks,
  nodeLeakFilter,
  parseStepLine,
  sourceFileOf,
  type FindNodeLeaksOptions,
  type LeakCluster,
  type LeakFilterCallback,
  type RetainerStep,
} from './memlab-analysis.ts';
export { attributeClusters, leakVerdict, type AttributedCluster, type AttributionOptions, type ClusterOwner, type LeakVerdict } from './attribution.ts';
export {
  coefficientOfVariation,
  evaluateLeakGates,
  heapSlopeBytesPerMin,
  leastSquaresSlope,
  mean,
  type LeakGateOptions,
  type LeakGateReport,
  type LeakGateResult,
} from './gates.ts';
export * from './errors.ts';
