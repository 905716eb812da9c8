/**
 * The index's "Chaos recovery: local vs containers" table: for each chaos scenario file run in
 * both environments' lanes, the longest recovery of its local and its containers runs side by
 * side (the same faults against a process and against containers).
 */
import { formatMillis, html, raw } from './format.ts';
import type { IndexRow } from './index-row.ts';

const ENVS = ['local', 'containers'] as const;

/** Every file is a chaos scenario: its name is enough to read (and fits a phone); the path is the tooltip. */
function fileCell(file: string): string {
  const path = file.replace(/^.*?(?=scenarios\/)/, '');
  return html`<td title="${path}">${path.replace(/^scenarios\/chaos\//, '')}</td>`;
}

/** The section, or '' when no chaos run recorded its environment. */
export function recoverySection(rows: readonly IndexRow[]): string {
  const byFile = new Map<string, Partial<Record<(typeof ENVS)[number], IndexRow[]>>>();
  for (const row of rows) {
    if (row.kind !== 'chaos' || !row.file || !(ENVS as readonly string[]).includes(row.env)) continue;
    const entry = byFile.get(row.file) ?? {};
    (entry[row.env as (typeof ENVS)[number]] ??= []).push(row);
    byFile.set(row.file, entry);
  }
  if (byFile.size === 0) return '';
  const cell = (runs: IndexRow[] | undefined): string => {
    if (!runs) return html`<td class="num muted">not run</td>`;
    const all = runs.flatMap((r) => r.recoveries);
    const worst = runs.some((r) => r.verdict !== 'pass') ? ' ✗' : '';
    const longest = all.length === 0 ? '–' : formatMillis(Math.max(...all));
    return html`<td class="num">${longest}${worst} <span class="muted">(${runs.length} run${runs.length === 1 ? '' : 's'})</span></td>`;
  };
  const files = [...byFile.keys()].sort();
  return html`<section id="recovery"><h2>Chaos recovery: local vs containers</h2>
<p class="muted">Longest recovery (a fault healed → /health ok again) over every run and fault of the scenario, per environment; \
✗ when a run did not pass.</p>
<div class="table-wrap"><table class="recovery-by-env">\
<thead><tr><th>scenario file</th>${raw(ENVS.map((e) => html`<th class="num">${e}</th>`).join(''))}</tr></thead><tbody>
${raw(files.map((f) => html`<tr data-file="${f}">${raw(fileCell(f))}${raw(ENVS.map((e) => cell(byFile.get(f)![e])).join(''))}</tr>`).join('\n'))}
</tbody></table></div></section>`;
}
