/**
 * The reports' stylesheet, inlined into every page (no CDN, opens from file://).
 *
 * System fonts; light and dark themes through prefers-color-scheme; series colours from the
 * Okabe–Ito palette, which stays distinguishable with the common colour-vision deficiencies;
 * pass/fail colours meet WCAG AA contrast on both backgrounds and never carry meaning alone
 * (the badges also say "pass"/"fail").
 */
export const REPORT_CSS = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --panel: #f6f8fa;
  --pass: #1a7f37; --pass-bg: #dafbe1; --fail: #cf222e; --fail-bg: #ffebe9; --error: #9a6700; --error-bg: #fff8c5;
  --fault: rgba(207, 34, 46, 0.10); --fault-edge: rgba(207, 34, 46, 0.45); --recovery: rgba(154, 103, 0, 0.22);
  --s0: #0072b2; --s1: #e69f00; --s2: #009e73; --s3: #d55e00; --s4: #cc79a7; --s5: #56b4e9;
  --link: #0969da;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #30363d; --panel: #161b22;
    --pass: #3fb950; --pass-bg: #12261e; --fail: #ff7b72; --fail-bg: #2d1214; --error: #d29922; --error-bg: #272115;
    --fault: rgba(255, 123, 114, 0.13); --fault-edge: rgba(255, 123, 114, 0.5); --recovery: rgba(210, 153, 34, 0.25);
    --s0: #56b4e9; --s1: #f0c05a; --s2: #2fc79a; --s3: #ff8c42; --s4: #e39ac6; --s5: #9ad0f5;
    --link: #4493f8;
  }
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
main { max-width: 1040px; margin: 0 auto; padding: 28px 24px 64px; }
a { color: var(--link); text-decoration: none; }
a:hover { text-decoration: underline; }
h1 { font-size: 26px; margin: 0; letter-spacing: -0.01em; overflow-wrap: anywhere; }
h2 { font-size: 18px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 8px; }
p { margin: 6px 0; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: 13px; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; overflow: auto; max-height: 420px; \
white-space: pre-wrap; overflow-wrap: anywhere; }
.crumbs { font-size: 13px; color: var(--muted); margin-bottom: 10px; }
.header { display: flex; align-items: center; gap: 14px; flex-wrap: wrap; }
.description { color: var(--muted); margin-top: 6px; max-width: 75ch; }
.meta { display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 13px; color: var(--muted); margin-top: 10px; }
.meta b { color: var(--fg); font-weight: 600; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 12px; font-weight: 700; letter-spacing: 0.04em; text-transform: uppercase; \
border: 1px solid currentColor; white-space: nowrap; }
.badge.big { font-size: 15px; padding: 4px 14px; }
.pass { color: var(--pass); } .badge.pass { background: var(--pass-bg); }
.fail { color: var(--fail); } .badge.fail { background: var(--fail-bg); }
.error, .unknown { color: var(--error); } .badge.error, .badge.unknown { background: var(--error-bg); }
.error-box { margin-top: 14px; padding: 10px 14px; border-radius: 6px; background: var(--error-bg); border: 1px solid var(--error); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 12px; margin-top: 20px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card .label { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.05em; }
.card .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; margin-top: 2px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { padding: 7px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: middle; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.row-fail td { background: var(--fail-bg); }
.table-wrap { overflow-x: auto; }
figure { margin: 0; }
figcaption { font-size: 13px; color: var(--muted); margin-top: 4px; }
.chart { width: 100%; height: auto; display: block; font-size: 11px; }
.chart text { fill: var(--muted); }
.chart .axis line { stroke: var(--line); stroke-width: 1; }
.chart .axis .grid { stroke-dasharray: 2 3; }
.chart .axis-title { font-size: 11px; }
.chart .series .line { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
${[0, 1, 2, 3, 4, 5]
  .map(
    (i) => `.chart .series-${i} .line { stroke: var(--s${i}); } .chart .series-${i} circle { fill: var(--s${i}); } \
.legend .series-${i}::before { background: var(--s${i}); }`,
  )
  .join('\n')}
.chart .fault-window rect { fill: var(--fault); stroke: var(--fault-edge); stroke-width: 1; stroke-dasharray: 3 2; }
.chart .fault-window text { fill: var(--fail); font-size: 10px; font-weight: 600; }
.chart .fault-bar .fault { fill: var(--fault-edge); }
.chart .fault-bar .recovery { fill: var(--recovery); }
.chart .event-tick line { stroke: var(--s0); stroke-width: 2; }
.chart .lane-label { fill: var(--fg); font-size: 12px; }
.chart .empty-frame { fill: var(--panel); stroke: var(--line); stroke-dasharray: 4 3; }
.chart .empty-message { fill: var(--muted); font-size: 14px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 13px; margin: 6px 0 0; padding: 0; list-style: none; }
.legend li::before { content: ""; display: inline-block; width: 14px; height: 3px; border-radius: 2px; vertical-align: middle; margin-right: 6px; }
.legend .fault-key::before { background: var(--fault); border: 1px dashed var(--fault-edge); height: 10px; }
.legend .recovery-key::before { background: var(--recovery); height: 10px; }
.legend .fault-bar-key::before { background: var(--fault-edge); height: 10px; }
details { border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; background: var(--bg); }
details > summary { cursor: pointer; padding: 8px 12px; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
details[open] > summary { border-bottom: 1px solid var(--line); }
details > .body { padding: 8px 12px 12px; }
details details { margin: 8px 0; }
.count { margin-left: auto; font-size: 13px; color: var(--muted); font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); }
.kind { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.05em; }
.summary-line { display: flex; gap: 16px; flex-wrap: wrap; margin-top: 12px; font-size: 14px; }
footer { margin-top: 48px; font-size: 12px; color: var(--muted); }
@media print { details { break-inside: avoid; } .chart { break-inside: avoid; } }
`;
