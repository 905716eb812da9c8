/** The end-of-exploration summary printed on stdout: the runs by verdict, then one line per finding. */
import { beadCount } from './draft.ts';
import type { ExploreSummary } from './explore.ts';
import { formatClock } from './explore.ts';
import { formatSignature } from './signature.ts';

/** The summary text. */
export function formatSummary(s: ExploreSummary): string {
  const by = (v: string) => s.runs.filter((r) => r.signature.verdict === v).length;
  const lines = [
    `explore seed ${s.seed}: ${s.runs.length} generated runs (${by('pass')} pass, ${by('fail')} fail, ${by('error')} error), ${s.scenarioRuns} scenario runs with shrinking, ${formatClock(s.elapsedMs)}; stopped by ${s.stoppedBy === 'runs' ? 'the run count' : s.stoppedBy === 'budget' ? 'the budget' : 'an interrupt'}`,
  ];
  if (s.findings.length === 0) lines.push('no findings');
  for (const f of s.findings) {
    lines.push(
      `FINDING ${f.id}  ${formatSignature(f.signature)}  found at ${formatClock(f.foundAfterMs)}; shrunk ${f.original.faults.length}→${f.shrunk.faults.length} faults, ${beadCount(f.original)}→${beadCount(f.shrunk)} beads in ${f.shrinkRuns} runs${f.shrinkComplete ? '' : ' (incomplete)'}`,
      `  ${f.reason}`,
      `  ${f.yaml}`,
      `  ${f.html}`,
    );
  }
  return lines.join('\n') + '\n';
}
