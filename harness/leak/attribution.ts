/**
 * Who owns a leaked cluster: our code, a dependency, or Node/V8 internals.
 *
 * A cluster is OURS when any closure or function scope on its retainer trace comes from a file under
 * one of our source roots (system/ or harness/ by default) — our code either holds the leaked
 * objects or created them. Dependencies (anything under node_modules) come next; a trace whose only
 * files are `node:` internals, or that has none at all, is attributed to Node internals. Only
 * clusters attributed to our code fail the `ourClusters == 0` gate; the others are reported.
 */
import { isAbsolute, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LeakCluster } from './memlab-analysis.ts';

/** Owner of a leak cluster. */
export type ClusterOwner =
  /** A file under one of our source roots is on the retainer trace. */
  | 'ours'
  /** No file of ours, but a file under node_modules is. */
  | 'dependency'
  /** Only `node:` internals, or no resolvable source file at all. */
  | 'node-internal';

/** A cluster with its owner and the file that decided it. */
export interface AttributedCluster extends LeakCluster {
  owner: ClusterOwner;
  /** The file that decided the owner (absent for node-internal without any file). */
  evidence?: string;
}

/** Options for {@link attributeClusters}. */
export interface AttributionOptions {
  /** The repository root. @default process.cwd() */
  repoRoot?: string;
  /** Source roots, relative to repoRoot, that count as our code. @default ['system', 'harness'] */
  ourRoots?: readonly string[];
}

/** Turns `file:///x/y.ts` into `/x/y.ts`; leaves `node:…` and plain paths alone. */
function toPath(file: string): string {
  return file.startsWith('file://') ? fileURLToPath(file) : file;
}

/** Attributes each cluster (pure apart from path resolution; no I/O). */
export function attributeClusters(clusters: readonly LeakCluster[], options: AttributionOptions = {}): AttributedCluster[] {
  const repoRoot = resolve(options.repoRoot ?? process.cwd());
  const roots = (options.ourRoots ?? ['system', 'harness']).map((r) => (isAbsolute(r) ? r : resolve(repoRoot, r)) + sep);
  const isOurs = (path: string): boolean => !path.includes(`${sep}node_modules${sep}`) && roots.some((root) => path.startsWith(root));

  return clusters.map((cluster) => {
    const paths = cluster.files.map(toPath);
    const ours = paths.find(isOurs);
    if (ours !== undefined) return { ...cluster, owner: 'ours', evidence: ours };
    const dependency = paths.find((p) => p.includes(`${sep}node_modules${sep}`));
    if (dependency !== undefined) return { ...cluster, owner: 'dependency', evidence: dependency };
    const internal = paths[0];
    return internal === undefined ? { ...cluster, owner: 'node-internal' } : { ...cluster, owner: 'node-internal', evidence: internal };
  });
}

/** Counts per owner, for the report and the `ourClusters` gate. */
export interface LeakVerdict {
  ours: number;
  dependency: number;
  nodeInternal: number;
  clusters: AttributedCluster[];
  /** Which rule made a memlab cluster count (watch.ts: growth across snapshot intervals). */
  rule?: string;
}

/** Summarises attributed clusters into counts per owner. */
export function leakVerdict(clusters: AttributedCluster[]): LeakVerdict {
  return {
    ours: clusters.filter((c) => c.owner === 'ours').length,
    dependency: clusters.filter((c) => c.owner === 'dependency').length,
    nodeInternal: clusters.filter((c) => c.owner === 'node-internal').length,
    clusters,
  };
}
