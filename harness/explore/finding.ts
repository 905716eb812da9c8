/**
 * The finding writer: for every failure explore found, `<dir>/<id>.yaml` — the shrunk scenario
 * with a one-line reason comment, `kind: chaos`, ready to copy into scenarios/chaos/ as a
 * regression test — and `<dir>/<id>.html`, the scenario page of the smallest failing run
 * (harness/report/html renderScenarioPage, from its journal) with what explore did on top.
 * `<dir>/index.html` lists every finding of the exploration.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { escapeHtml, renderScenarioPage } from '../report/html/index.ts';
import { beadCount, describeDraft, draftYaml, type Draft } from './draft.ts';
import { formatSignature, type Signature } from './signature.ts';

/** One failure, found and shrunk. */
export interface Finding {
  /** `explore-<seed>-<run>`: the file names and the shrunk scenario's `name`. */
  id: string;
  /** The exploration's seed and the run that found it. */
  seed: number;
  run: number;
  signature: Signature;
  /** One line: the first failing gate (or the error) of the smallest failing run. */
  reason: string;
  original: Draft;
  shrunk: Draft;
  /** Reductions kept, in order, and scenario runs the shrink made. */
  accepted: string[];
  shrinkRuns: number;
  /** False when the budget ended the shrink before no reduction was left. */
  shrinkComplete: boolean;
  /** ms from the exploration's start to the failing run's end. */
  foundAfterMs: number;
  /** The journal of the smallest failing run (rendered as the HTML page). */
  journal: unknown;
}

/** Paths written for one finding. */
export interface WrittenFinding {
  yaml: string;
  html: string;
}

/** The YAML comment above the shrunk scenario: the reason, then where it came from. */
export function findingComment(f: Finding): string[] {
  const size = (d: Draft) => `${d.faults.length} fault${d.faults.length === 1 ? '' : 's'}/${beadCount(d)} bead${beadCount(d) === 1 ? '' : 's'}`;
  return [
    `oya explore finding: ${f.reason}`,
    `seed ${f.seed} run ${f.run}; ${formatSignature(f.signature)}; shrunk from ${size(f.original)} to ${size(f.shrunk)} in ${f.shrinkRuns} runs${f.shrinkComplete ? '' : ' (budget ended the shrink)'}`,
    ...(f.shrunk.system.defects?.length
      ? [`runs with test-only defects ${f.shrunk.system.defects.join(', ')}: drop system.defects for a regression test of the real system`]
      : []),
  ];
}

/** Writes the finding's YAML and HTML page into `dir`. */
export async function writeFinding(dir: string, f: Finding): Promise<WrittenFinding> {
  await mkdir(dir, { recursive: true });
  const yaml = join(dir, `${f.id}.yaml`);
  const html = join(dir, `${f.id}.html`);
  await writeFile(yaml, draftYaml({ ...f.shrunk, name: f.id }, findingComment(f)));
  await writeFile(html, findingPage(f));
  return { yaml, html };
}

/** The journal's scenario page with a banner: the signature, the reason, and the shrink steps. */
export function findingPage(f: Finding): string {
  const page = renderScenarioPage(f.journal, { indexHref: 'index.html' });
  const banner = `<section class="explore-finding" style="border:2px solid #c33;padding:8px 12px;margin:8px 0">
<h2>oya explore finding ${escapeHtml(f.id)}</h2>
<p><b>${escapeHtml(formatSignature(f.signature))}</b> — ${escapeHtml(f.reason)}</p>
<p>Found by seed ${f.seed}, run ${f.run}, ${(f.foundAfterMs / 1000).toFixed(1)} s into the exploration. Generated: ${escapeHtml(describeDraft(f.original))}. Shrunk: ${escapeHtml(describeDraft(f.shrunk))}, in ${f.shrinkRuns} runs${f.shrinkComplete ? '' : ' (the budget ended the shrink)'}.</p>
${f.accepted.length > 0 ? `<details><summary>${f.accepted.length} reductions kept</summary><ol>${f.accepted.map((a) => `<li>${escapeHtml(a)}</li>`).join('')}</ol></details>` : ''}
<details open><summary>The shrunk scenario (${escapeHtml(f.id)}.yaml)</summary><pre>${escapeHtml(draftYaml({ ...f.shrunk, name: f.id }, findingComment(f)))}</pre></details>
</section>`;
  // After the opening <body …> tag: the banner comes before the run's own verdict.
  return page.replace(/<body[^>]*>/, (tag) => `${tag}\n${banner}`);
}

/** `<dir>/index.html`: the exploration's findings, one row each. */
export async function writeFindingsIndex(
  dir: string,
  summary: { seed: number; runs: number; elapsedMs: number; findings: readonly Finding[] },
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const rows = summary.findings
    .map(
      (f) =>
        `<tr><td><a href="${encodeURIComponent(f.id)}.html">${escapeHtml(f.id)}</a></td><td>${escapeHtml(formatSignature(f.signature))}</td><td>${f.shrunk.faults.length}</td><td>${beadCount(f.shrunk)}</td><td><a href="${encodeURIComponent(f.id)}.yaml">yaml</a></td><td>${escapeHtml(f.reason)}</td></tr>`,
    )
    .join('\n');
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>oya explore</title></head><body>
<h1>oya explore — seed ${summary.seed}</h1>
<p>${summary.runs} runs in ${(summary.elapsedMs / 1000).toFixed(0)} s, ${summary.findings.length} finding${summary.findings.length === 1 ? '' : 's'}.</p>
<table><thead><tr><th>finding</th><th>fails</th><th>faults</th><th>beads</th><th>scenario</th><th>reason</th></tr></thead><tbody>
${rows || '<tr><td colspan="6">nothing found</td></tr>'}
</tbody></table></body></html>\n`;
  const path = join(dir, 'index.html');
  await writeFile(path, page);
  return path;
}
