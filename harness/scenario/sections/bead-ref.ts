/**
 * The messages for a name that refers to nothing: a `<workflow>.<bead>` reference (a fault's
 * `target`, a key of `expect.beads`) or a bead id inside one workflow (`dependsOn`,
 * `cancel.bead`). Each lists the names there are (the first LISTED_NAMES, then a count) and
 * suggests the closest, so a typo is fixed from the message alone.
 */
import { closest, didYouMean, listNames } from '../suggest.ts';

/** workflow name → its bead ids (WorkloadIndex.workflows). */
export type WorkflowBeads = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * Why `ref` (`<workflow>.<bead>`) names no bead of the workload; undefined when it names one.
 * Suggestions are whole references, since that is what the user writes.
 */
export function unknownBeadRef(ref: string, workflows: WorkflowBeads): string | undefined {
  const dot = ref.indexOf('.');
  const [workflow, bead] = dot === -1 ? [ref, ''] : [ref.slice(0, dot), ref.slice(dot + 1)];
  const beads = workflows.get(workflow);
  if (beads?.has(bead)) return undefined;
  const close = suggestRefs(workflow, bead, workflows).slice(0, 3);
  const hint = close.length > 0 ? `; did you mean ${close.map((r) => JSON.stringify(r)).join(' or ')}?` : '';
  if (!beads) return `unknown workflow "${workflow}"${hint} (workflows: ${listNames(workflows.keys())})`;
  return `unknown bead "${bead}" in workflow "${workflow}"${hint} (beads: ${listNames(beads)})`;
}

/**
 * Each half compared on its own (the shared workflow name would make any two beads of it look
 * close): a slip in the bead, in the workflow, or in both; else the right bead under another
 * workflow.
 */
function suggestRefs(workflow: string, bead: string, workflows: WorkflowBeads): string[] {
  const near = workflows.has(workflow) ? [workflow] : closest(workflow, workflows.keys());
  const refs = near.flatMap((w) => {
    const ids = workflows.get(w)!;
    return ids.has(bead) ? [`${w}.${bead}`] : closest(bead, ids).map((id) => `${w}.${id}`);
  });
  if (refs.length > 0) return refs;
  return [...workflows].filter(([, ids]) => ids.has(bead)).map(([w]) => `${w}.${bead}`);
}

/** `unknown bead "x" [in workflow "w"]; did you mean "y"? (beads: …)` for a bead id of one workflow. */
export function unknownBeadId(id: string, beads: Iterable<string>, workflow?: string): string {
  const ids = [...beads];
  const where = workflow === undefined ? '' : ` in workflow "${workflow}"`;
  return `unknown bead "${id}"${where}${didYouMean(id, ids)} (beads: ${listNames(ids)})`;
}
