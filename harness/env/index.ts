/**
 * Harness environments: where a scenario runs. `startEnvironment()` (providers/) is the entry;
 * the parts it is built from are exported for tests and tools that need one piece alone.
 */
export * from './providers/index.ts';
export { startSurrealServer } from './surreal/server.ts';
export { spawnSurrealServer, type SpawnedSurrealServer, type SpawnSurrealOptions } from './surreal/spawn.ts';
export { classifySurrealError, DbDiskFullError } from './surreal/errors.ts';
export { startToxiproxyServer, type ToxiproxyServerHandle } from './toxiproxy/index.ts';
export { startLimitedDisk, type LimitedDisk } from './disk/limited-disk.ts';
export { makeOwnedTempDir, sweepDeadOwnersTempDirs, OWNED_PREFIXES } from './temp-dirs.ts';
