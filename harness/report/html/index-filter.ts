/**
 * The index's filter by verdict and by lane, without script: two groups of radio buttons placed
 * before the table, and CSS rules `#fv-pass:checked ~ .index-wrap tr.row:not(.v-pass)` that hide
 * what the checked buttons exclude. The page's CSP allows inline styles and no script, so this
 * is the whole mechanism; the radios stay focusable (arrow keys move within a group).
 *
 * Row and group classes, set by index-page.ts: `v-<verdict>` and `l-<lane index>` on each row;
 * `g-failures` on the failures group (every fail/error row), `g-lane l-<i>` on each lane's group
 * (its passing rows). Lane ids are indices, never lane names: names come from journals.
 */
import { html, raw } from './format.ts';
import type { Verdict } from './journal-view.ts';

const VERDICTS: readonly Verdict[] = ['error', 'fail', 'pass'];

/** What the filter offers: verdict counts, and the lanes in page order with their rows per verdict. */
export interface FilterInput {
  verdicts: Record<Verdict, number>;
  lanes: readonly { id: string; name: string; byVerdict: Record<Verdict, number> }[];
}

/** The radio buttons (must precede `.filters` and `.index-wrap` as siblings), their labels, and the CSS. */
export function renderFilter(input: FilterInput): { inputs: string; labels: string; css: string } {
  const total = VERDICTS.reduce((n, v) => n + input.verdicts[v], 0);
  const radio = (group: string, id: string, checked: boolean, label: string): string =>
    html`<input class="filter-input" type="radio" name="${group}" id="${id}"${checked ? ' checked' : ''} aria-label="${label}">`;
  const inputs = [
    radio('verdict', 'fv-all', true, 'every verdict'),
    ...VERDICTS.map((v) => radio('verdict', `fv-${v}`, false, `verdict ${v}`)),
    radio('lane', 'fl-all', true, 'every lane'),
    ...input.lanes.map((l) => radio('lane', `fl-${l.id}`, false, `lane ${l.name}`)),
  ].join('');
  const chip = (id: string, text: string, count: number) => raw(html`<label for="${id}" class="chip">${text} <span class="n">${count}</span></label>`);
  const laneTotal = (lane: FilterInput['lanes'][number]) => VERDICTS.reduce((n, v) => n + lane.byVerdict[v], 0);
  const labels = html`<div class="filters" aria-label="filter">
<span class="filter-name">verdict</span>${chip('fv-all', 'all', total)}${VERDICTS.map((v) => chip(`fv-${v}`, v, input.verdicts[v]))}
<span class="filter-name">lane</span>${chip('fl-all', 'all', total)}${input.lanes.map((l) => chip(`fl-${l.id}`, l.name, laneTotal(l)))}</div>`;
  return { inputs, labels, css: filterCss(input) };
}

function filterCss(input: FilterInput): string {
  const ids = ['fv-all', ...VERDICTS.map((v) => `fv-${v}`), 'fl-all', ...input.lanes.map((l) => `fl-${l.id}`)];
  const rules = [
    // The checked chip looks pressed; the focused one shows where the keyboard is.
    `${ids.map((id) => `#${id}:checked ~ .filters label[for="${id}"]`).join(',\n')} { background: var(--fg); color: var(--bg); border-color: var(--fg); }`,
    `${ids.map((id) => `#${id}:focus-visible ~ .filters label[for="${id}"]`).join(',\n')} { outline: 2px solid var(--link); outline-offset: 2px; }`,
  ];
  // The "nothing matches" line, for each choice that leaves no row.
  const empty = (selector: string): void => void rules.push(`${selector} ~ .index-wrap tbody.g-none { display: table-row-group; }`);
  for (const v of VERDICTS) {
    if (input.verdicts[v] === 0) empty(`#fv-${v}:checked`);
    rules.push(`#fv-${v}:checked ~ .index-wrap tr.row:not(.v-${v}) { display: none; }`);
    // Lane groups hold passing rows only, the failures group no passing row.
    rules.push(`#fv-${v}:checked ~ .index-wrap tbody.${v === 'pass' ? 'g-failures' : 'g-lane'} { display: none; }`);
  }
  for (const lane of input.lanes) {
    const lanePicked = `#fl-${lane.id}:checked ~ .index-wrap`;
    rules.push(`${lanePicked} tr.row:not(.l-${lane.id}), ${lanePicked} tbody.g-lane:not(.l-${lane.id}) { display: none; }`);
    // A group left with no row under this lane (and verdict) hides its heading too.
    if (lane.byVerdict.fail + lane.byVerdict.error === 0) rules.push(`#fl-${lane.id}:checked ~ .index-wrap tbody.g-failures { display: none; }`);
    for (const v of VERDICTS) {
      if (lane.byVerdict[v] > 0) continue;
      if (v !== 'pass') rules.push(`#fv-${v}:checked ~ #fl-${lane.id}:checked ~ .index-wrap tbody.g-failures { display: none; }`);
      if (input.verdicts[v] > 0) empty(`#fv-${v}:checked ~ #fl-${lane.id}:checked`);
    }
  }
  return rules.join('\n');
}
