/**
 * The invariant checks: one collapsible block per check (open when it failed), each violation
 * collapsible in turn with its minimal witness. Witness text is user data and is escaped.
 */
import { defectsProving } from '../../checks/proofs.ts';
import type { CheckName, CheckReport, CheckResult, Validity } from '../../checks/types.ts';
import { html, raw, type RawHtml } from './format.ts';
import { badge } from './layout.ts';

/** More than this many violations of one check are summarised: the journal keeps all of them. */
const MAX_VIOLATIONS_SHOWN = 100;

/** What each check proves, in one line (mirrors harness/checks/README.md). */
const CHECK_DESCRIPTIONS: Record<string, string> = {
  lost: 'Acknowledged work the log does not have, or lost after having it.',
  duplicated: 'Work that happened twice (terminal events, creations, idempotency keys).',
  unexpected: 'Beads that no request could have created.',
  eventGaps: "Each event stream's sequence numbers are exactly 1..n.",
  doubleSideEffects: 'An external side effect applied more than once.',
  apiLogDisagreement: 'The API and the event log agree on every bead.',
  stateExpectations: "The final state is what the scenario's expect: section said.",
  lifecycle: 'Legal transitions only, nothing after a terminal event, dependencies before dependents.',
};

/** "proven by: `a`, `b`": the test-only defects the self-check shows this check catching (proofs.ts). */
function provenBy(name: CheckName): RawHtml {
  const defects = defectsProving(name);
  const list = defects.length === 0 ? 'no defect yet' : raw(defects.map((d) => html`<code>${d}</code>`).join(', '));
  return raw(html`<p class="muted proven-by">proven by: ${list}</p>`);
}

/** 'pass' | 'fail' | 'unknown' for a Jepsen validity. */
export function validityState(valid: Validity): 'pass' | 'fail' | 'unknown' {
  return valid === true ? 'pass' : valid === false ? 'fail' : 'unknown';
}

/** The checks section body; a note when the run recorded no checks (it errored first). */
export function renderChecks(report: CheckReport | undefined): RawHtml {
  if (report === undefined) return raw(html`<p class="muted">No check results in this journal: the run ended before the checks ran.</p>`);
  const results = Object.values(report.checks);
  return raw(html`
<p>Overall: ${badge(validityState(report.valid))} <span class="muted">— unknown never passes a gate.</span></p>
${renderUnfinished(report.unfinished ?? [])}
${results.map(renderCheck)}`);
}

/**
 * Beads both the API and the log still held open when the drain was cut short: their outcome is
 * unknown (Jepsen's :info), so no check counts them; the drain and expect.completed gates do.
 */
function renderUnfinished(unfinished: NonNullable<CheckReport['unfinished']>): RawHtml | '' {
  if (unfinished.length === 0) return '';
  const shown = unfinished.slice(0, MAX_VIOLATIONS_SHOWN);
  const hidden = unfinished.length - shown.length;
  return raw(html`
<details class="check" data-check="unfinished" data-valid="unknown" open>
<summary>${badge('unknown')} <b>in flight at the final read</b> <span class="muted">The drain was cut short: outcome unknown, not lost.</span>
<span class="count">${unfinished.length} bead${unfinished.length === 1 ? '' : 's'}</span></summary>
<div class="body">
${shown.map((u) =>
  raw(html`
<details class="violation">
<summary><code>${u.status}</code> <span class="mono muted">${u.beadId}</span> <span class="message">${u.message}</span></summary>
<div class="body"><h3>Witness</h3><pre>${JSON.stringify(u.witness, null, 2)}</pre></div>
</details>`),
)}
${hidden > 0 ? raw(html`<p class="muted">… and ${hidden} more in the journal.</p>`) : ''}
</div>
</details>`);
}

function renderCheck(result: CheckResult): RawHtml {
  const state = validityState(result.valid);
  const counts = Object.entries(result.counts);
  const shown = result.violations.slice(0, MAX_VIOLATIONS_SHOWN);
  const hidden = result.violations.length - shown.length;
  return raw(html`
<details class="check" data-check="${result.name}" data-valid="${state}"${raw(state === 'fail' ? ' open' : '')}>
<summary>${badge(state)} <b>${result.name}</b> <span class="muted">${CHECK_DESCRIPTIONS[result.name] ?? ''}</span>
<span class="count">${result.violations.length} violation${result.violations.length === 1 ? '' : 's'}</span></summary>
<div class="body">
${provenBy(result.name)}
${counts.length > 0 ? raw(html`<p class="muted mono">${counts.map(([k, v]) => `${k}: ${v}`).join(' · ')}</p>`) : ''}
${shown.length === 0 ? raw(html`<p class="muted">No violations.</p>`) : ''}
${shown.map((v) =>
  raw(html`
<details class="violation">
<summary><code>${v.kind}</code>${v.beadId !== undefined ? raw(html` <span class="mono muted">${v.beadId}</span>`) : ''} \
<span class="message">${v.message}</span></summary>
<div class="body"><h3>Witness</h3><pre>${JSON.stringify(v.witness, null, 2)}</pre></div>
</details>`),
)}
${hidden > 0 ? raw(html`<p class="muted">… and ${hidden} more in the journal.</p>`) : ''}
</div>
</details>`);
}
