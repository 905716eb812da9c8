/**
 * The growth rule: a memlab cluster counts as a leak only if it GREW in at least two snapshot
 * intervals after warm-up — objects allocated in interval 1 and again in interval 2, held by the
 * same owner, all still alive at the final snapshot.
 *
 * Why: memlab's own candidate set (allocated between baseline and target, alive at final) cannot
 * tell growth from code that runs once after warm-up — a module-scope schema compiled on first
 * use, a lazily created metric bucket — which is alive forever and was allocated in the window.
 * BLeak (Vilk & Berger, PLDI 2018) names the signal that does: "sustained growth between round
 * trips is a strong indicator of a memory leak"; it snapshots after several identical rounds and
 * ranks the heap paths that grow across them. A one-time allocation grows once; a leak grows every
 * interval. Two intervals is the least that separates the two, and what a CI soak can afford
 * (each memlab pass reads three snapshots).
 *
 * "The same owner" is decided by heap node ids, not by printed paths: both memlab passes share
 * the final snapshot, and step ids are ids in that snapshot, so the object that holds the growth
 * (the module scope, the archive object, its array) has the same id in both. Printed paths do
 * not work: memlab picks one representative object per cluster in each pass, reached from
 * whatever GC root and marked leaked at whatever depth (the entry, its `event`, its Buffer).
 */
import type { AttributedCluster } from './attribution.ts';

/** Steps kept as "owner" when no step of the path has a source file (a plain object chain). */
const FALLBACK_OWNER_STEPS = 2;

/**
 * The heap node ids that own a cluster's leaked objects: on the path to the first leaked object,
 * cut before the last element hop (a numeric edge: an array index, a hash-table slot — each
 * element is another object, each closure has its own scope), the steps from the innermost one
 * with a source file (a closure or module scope: code that holds state) to the collection. V8's
 * own roots (native, synthetic nodes) are shared by every path and never identify an owner.
 */
export function ownerIds(cluster: Pick<AttributedCluster, 'steps'>): Set<number> {
  const firstLeaked = cluster.steps.findIndex((s) => s.leaked);
  let held = firstLeaked < 0 ? cluster.steps : cluster.steps.slice(0, firstLeaked);
  const element = held.findLastIndex((s) => /^\d+$/.test(s.edge ?? ''));
  if (element >= 2) held = held.slice(0, element);
  const scope = held.findLastIndex((s) => s.file !== undefined);
  const from = scope >= 0 ? scope : Math.max(0, held.length - FALLBACK_OWNER_STEPS);
  return new Set(
    held
      .slice(from)
      .filter((s) => s.type !== 'native' && s.type !== 'synthetic' && s.type !== 'hidden')
      .map((s) => s.id),
  );
}

/**
 * The clusters of the LAST interval whose owner also grew in every other interval given (memlab
 * passes over consecutive intervals, oldest first, all against the same final snapshot). Fewer
 * than two intervals: no cluster qualifies.
 */
export function clustersGrowingAcross(intervals: readonly (readonly AttributedCluster[])[]): AttributedCluster[] {
  if (intervals.length < 2) return [];
  const earlier = intervals.slice(0, -1).map((clusters) => clusters.map(ownerIds));
  return intervals.at(-1)!.filter((c) => {
    const mine = ownerIds(c);
    return earlier.every((owners) => owners.some((ids) => [...ids].some((id) => mine.has(id))));
  });
}
