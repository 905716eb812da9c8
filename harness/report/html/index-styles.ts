/**
 * The index page's own CSS, added after the shared stylesheet (styles.ts): a wide one-line-per-
 * scenario table on desktop (without the env column below 1320 px, so the description keeps
 * room), and below 1100 px each row stacked into a small card (name and verdict, the
 * description's line, the numbers) so a phone never scrolls sideways.
 */
export const INDEX_CSS = `
main.index-page { max-width: 1400px; }
.filter-input { position: absolute; opacity: 0; width: 1px; height: 1px; margin: 0; pointer-events: none; }
.filters { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin: 14px 0 6px; font-size: 13px; }
.filter-name { color: var(--muted); text-transform: uppercase; letter-spacing: 0.05em; font-size: 11px; margin: 0 2px 0 8px; }
.filter-name:first-child { margin-left: 0; }
.chip { border: 1px solid var(--line); border-radius: 999px; padding: 1px 10px; cursor: pointer; user-select: none; white-space: nowrap; }
.chip .n { color: inherit; opacity: 0.7; font-variant-numeric: tabular-nums; }
.trend-key { font-size: 12px; margin: 0 0 8px; }
table.index { table-layout: fixed; font-size: 13px; }
table.index td, table.index th { padding: 4px 8px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
table.index thead th { font-size: 11px; letter-spacing: 0.02em; }
table.index .c-verdict { width: 90px; }
table.index .c-name { width: 214px; font-weight: 600; }
table.index .c-env { width: 90px; color: var(--muted); }
table.index .c-gates { width: 60px; }
table.index .c-p99 { width: 136px; }
table.index .c-tput { width: 150px; }
table.index .c-change { width: 256px; }
table.index .c-dur { width: 84px; }
table.index td.c-desc { color: var(--muted); }
table.index td.c-desc.error { color: var(--error); }
table.index tbody th { text-align: left; font-size: 13px; text-transform: none; letter-spacing: 0; color: var(--fg); padding-top: 16px; \
border-bottom: 2px solid var(--line); }
table.index tbody.g-failures th { color: var(--fail); }
table.index tbody.g-none { display: none; }
table.index tr.row.v-fail td, table.index tr.row.v-error td { background: var(--fail-bg); }
table.index tr.row.v-error td { background: var(--error-bg); }
.spark { vertical-align: middle; margin-left: 6px; overflow: visible; }
.spark .line { fill: none; stroke-width: 1.5; stroke-linejoin: round; stroke-linecap: round; }
.spark-p99 .line { stroke: var(--s0); } .spark-p99 circle { fill: var(--s0); }
.spark-throughput .line { stroke: var(--s2); } .spark-throughput circle { fill: var(--s2); }
.chg { font-variant-numeric: tabular-nums; margin-right: 6px; white-space: nowrap; }
.chg.worse { color: var(--fail); font-weight: 600; }
.chg.better { color: var(--pass); }
.chg.same { color: var(--muted); }
td.c-change .vs { display: none; }
/* Laptop widths: the env column goes first (a containers run's name says .containers anyway).
   Collapsed to zero width, not display:none, which breaks a fixed table layout's columns. */
@media (max-width: 1320px) { table.index .c-env { width: 0; padding: 0; } table.index .c-name { width: 190px; } table.index .c-change { width: 236px; } }
@media (max-width: 1100px) {
  main.index-page { padding: 18px 12px 48px; }
  table.index, table.index tbody { display: block; width: 100%; }
  table.index thead { display: none; }
  table.index tbody.g-none { display: none; }
  table.index tr { display: grid; grid-template-columns: auto minmax(0, 1fr) auto; column-gap: 8px; padding: 6px 4px; border-bottom: 1px solid var(--line); }
  table.index tr.row.v-fail { background: var(--fail-bg); }
  table.index tr.row.v-error { background: var(--error-bg); }
  table.index tr.row td { background: transparent; }
  table.index td, table.index th { display: block; border: 0; padding: 1px 0; }
  table.index .c-verdict, table.index .c-name, table.index .c-p99, table.index .c-tput, table.index .c-change, table.index .c-dur { width: auto; }
  table.index tbody th { grid-column: 1 / -1; }
  /* verdict, name, duration | the description's line | p99, throughput | the change in words */
  table.index .c-verdict { grid-area: 1 / 1; }
  table.index .c-name { grid-area: 1 / 2; }
  table.index .c-dur { grid-area: 1 / 3; }
  table.index .c-desc { grid-area: 2 / 1 / 3 / -1; }
  table.index .c-p99 { grid-area: 3 / 1 / 4 / 3; text-align: left; }
  table.index .c-tput { grid-area: 3 / 3; }
  table.index .c-change { grid-area: 4 / 1 / 5 / -1; white-space: normal; }
  table.index .c-env, table.index .c-gates { display: none; }
  td.c-change .vs { display: inline; color: var(--muted); white-space: nowrap; }
}
`;
