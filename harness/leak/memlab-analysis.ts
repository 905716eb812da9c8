/**
 * memlab leak analysis of three heap snapshots of a Node process (baseline, target, final).
 *
 * memlab's candidates are the objects allocated between baseline and target that are still alive
 * at final. Its built-in rules then look for browser leaks (detached DOM, unmounted React fibers)
 * and let nothing else through (memlab#30), so a Node process needs its own filter:
 * {@link nodeLeakFilter} keeps JS objects and closures and drops V8/Node internals, whose native
 * and synthetic nodes get fresh ids in every snapshot and would all look "new".
 *
 * memlab returns clusters as nested objects keyed by printed trace lines; we parse those lines into
 * {@link RetainerStep}s and, while memlab's parsed final snapshot is still in memory, resolve the
 * source file of every closure and function scope on the trace so clusters can be attributed.
 */
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IHeapNode, IHeapSnapshot, LeakFilterCallback } from 'memlab';
import { loadMemlab } from './memlab-loader.ts';

/** memlab's serialised cluster (`ISerializedInfo` in @memlab/core, not re-exported by `memlab`). */
type ISerializedInfo = { [key: string]: string | number | boolean | ISerializedInfo };

export type { LeakFilterCallback } from 'memlab';
import { LeakAnalysisError } from './errors.ts';

/** One hop of a retainer trace, from a GC root (index 0) to the leaked object. */
export interface RetainerStep {
  /** Edge from the previous step (`leakedRequestHandlers`, `7000`, `context`); absent on the root. */
  edge?: string;
  /** V8 edge type: property, element, context (a closure variable), internal, hidden, … */
  edgeType?: string;
  /** Node name: a constructor (`Array`), `<function scope>`, a function name, `Node / Environment`. */
  name: string;
  /** V8 node type: object, closure, synthetic, native, … */
  type: string;
  /** Heap node id in the final snapshot. */
  id: number;
  retainedSize: number;
  /** memlab marked this node as allocated in the target window and still alive. */
  leaked: boolean;
  /** Source file (URL such as `file:///…/x.ts` or `node:internal/…`) of a closure or function scope. */
  file?: string;
}

/** One memlab cluster: a representative retainer trace for a group of similar leaked objects. */
export interface LeakCluster {
  steps: RetainerStep[];
  /** Retained size of the first leaked node on the trace, in bytes. */
  leakedRetainedSize: number;
  /** Distinct source files seen on the trace, in trace order. */
  files: string[];
  /** The trace on one line: `root → process → _events → … → leakedRequestHandlers → [Array] → 7000 → [closure]`. */
  summary: string;
}

/** Input for {@link findNodeLeaks}. */
export interface FindNodeLeaksOptions {
  baseline: string;
  target: string;
  final: string;
  /** Replaces {@link nodeLeakFilter}; see memlab's `ILeakFilter.leakFilter`. */
  leakFilter?: LeakFilterCallback;
  /** memlab's scratch directory, also holding its default working directory; a temp dir (removed afterwards) when omitted. */
  workDir?: string;
}

/**
 * The default leak filter for Node heaps: a candidate is a leak when it is a JS object or closure
 * (not a V8 `system / …` internal, not a `(…)` pseudo node). Retention is already implied: memlab
 * only offers objects allocated in the target window and alive at final.
 */
export const nodeLeakFilter: LeakFilterCallback = (node) =>
  (node.type === 'object' || node.type === 'closure') && !node.name.startsWith('system /') && !node.name.startsWith('(');

// memlab keeps its settings in one process-wide object, so two analyses must not overlap.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs memlab's `findLeaksBySnapshotFilePaths` with a Node filter and returns parsed clusters.
 * Calls are serialised (memlab state is global). Expect ~1 s per 10 MB of snapshot on 2 cores.
 */
export function findNodeLeaks(options: FindNodeLeaksOptions): Promise<LeakCluster[]> {
  const run = queue.then(() => runMemlab(options));
  queue = run.catch(() => undefined);
  return run;
}

async function runMemlab(options: FindNodeLeaksOptions): Promise<LeakCluster[]> {
  for (const path of [options.baseline, options.target, options.final]) {
    await access(path).catch((err: unknown) => {
      throw new LeakAnalysisError(`snapshot file ${path} is missing`, { path }, err);
    });
  }
  const { api, useTempDir } = loadMemlab();
  const { ConsoleMode, config: memlabConfig, findLeaksBySnapshotFilePaths } = api;
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), 'oya-memlab-')));
  useTempDir(workDir);
  const previousFilter = memlabConfig.externalLeakFilter;
  let finalSnapshot: IHeapSnapshot | undefined;
  memlabConfig.externalLeakFilter = {
    beforeLeakFilter: (snapshot) => {
      finalSnapshot = snapshot;
    },
    leakFilter: options.leakFilter ?? nodeLeakFilter,
  };
  try {
    const raw = await findLeaksBySnapshotFilePaths(options.baseline, options.target, options.final, {
      workDir,
      consoleMode: ConsoleMode.SILENT,
    });
    return raw.map((info) => toCluster(info, finalSnapshot));
  } catch (err) {
    if (err instanceof LeakAnalysisError) throw err;
    throw new LeakAnalysisError(`memlab failed: ${err instanceof Error ? err.message : String(err)}`, { ...options }, err);
  } finally {
    memlabConfig.externalLeakFilter = previousFilter;
    useTempDir(undefined);
    if (options.workDir === undefined) await rm(workDir, { recursive: true, force: true });
  }
}

/** `8:   --7000 (element)--->  [<anonymous>](closure) @225089 $retained-size:1112 $memLabTag:leaked …` */
const STEP_LINE = /^(\d+):\s+(?:--(.+?) \(([\w ]+)\)--->\s+)?\[(.*)\]\(([\w ]+)\) @(\d+) \$retained-size:(\d+)(.*)$/s;

/** Parses one memlab trace line; exported for unit tests. */
export function parseStepLine(line: string): RetainerStep | undefined {
  const m = STEP_LINE.exec(line.trim());
  if (m === null) return undefined;
  const step: RetainerStep = {
    name: m[4] ?? '',
    type: m[5] ?? '',
    id: Number(m[6]),
    retainedSize: Number(m[7]),
    leaked: (m[8] ?? '').includes('$memLabTag:leaked'),
  };
  if (m[2] !== undefined) step.edge = m[2];
  if (m[3] !== undefined) step.edgeType = m[3];
  return step;
}

/** memlab puts each trace step at the top level of a cluster object, keyed by its printed line (`0: …`, `1: …`). */
function stepLines(info: ISerializedInfo): string[] {
  return Object.keys(info)
    .filter((k) => /^\d+:/.test(k))
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
}

function toCluster(info: ISerializedInfo, snapshot: IHeapSnapshot | undefined): LeakCluster {
  const steps = stepLines(info)
    .map(parseStepLine)
    .filter((s): s is RetainerStep => s !== undefined);
  for (const step of steps) {
    const node = snapshot?.getNodeById(step.id);
    const file = node ? sourceFileOf(node) : undefined;
    if (file !== undefined) step.file = file;
  }
  const files = [...new Set(steps.flatMap((s) => (s.file === undefined ? [] : [s.file])))];
  return {
    steps,
    leakedRetainedSize: steps.find((s) => s.leaked)?.retainedSize ?? 0,
    files,
    summary: steps.map((s) => (s.edge === undefined ? `[${s.name}]` : `${s.edge} → [${s.name}]`)).join(' → '),
  };
}

/** The script of a closure (shared function info → script), of a function scope (a closure using it), or of an object's constructor. */
export function sourceFileOf(node: IHeapNode): string | undefined {
  if (node.type === 'closure') return scriptOfClosure(node);
  if (node.name === '<function scope>' || node.name === 'system / Context') {
    const user = node.referrers.find((e) => e.name_or_index === 'context' && e.fromNode.type === 'closure');
    return user ? scriptOfClosure(user.fromNode) : undefined;
  }
  if (node.type === 'object') {
    const map = node.getReferenceNode('map');
    const ctor = map?.getReferenceNode('constructor_or_back_pointer') ?? map?.getReferenceNode('constructor');
    return ctor?.type === 'closure' ? scriptOfClosure(ctor) : undefined;
  }
  return undefined;
}

function scriptOfClosure(closure: IHeapNode): string | undefined {
  const shared = closure.getReferenceNode('shared');
  const script = shared?.getReferenceNode('script_or_debug_info') ?? shared?.getReferenceNode('script');
  const name = script?.name;
  return name !== undefined && name !== '' && !name.startsWith('system /') ? name : undefined;
}
