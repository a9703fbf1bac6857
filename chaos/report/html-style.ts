/**
 * The report's stylesheet, inlined so that the page needs nothing from the network: system fonts
 * only, no web fonts, no images other than the inline chart.
 */
export const REPORT_CSS = `
:root { --fg: #212529; --muted: #495057; --line: #dee2e6; --bg-soft: #f8f9fa;
  --good: #2b8a3e; --good-bg: #ebfbee; --bad: #c92a2a; --bad-bg: #fff5f5; --warn: #e67700; --warn-bg: #fff9db;
  --info: #1864ab; --info-bg: #e7f5ff; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 28px 48px; }
header.page { border-bottom: 1px solid var(--line); margin-bottom: 20px; padding-bottom: 8px; }
header.page p { margin: 0; color: var(--muted); font-size: 13px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 22px; margin: 28px 0 8px; }
h3 { font-size: 17px; margin: 22px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h4 { font-size: 15px; margin: 14px 0 6px; }
article.run { border-top: 3px solid var(--line); margin-top: 32px; padding-top: 8px; }
article.run:first-of-type { border-top: 0; margin-top: 0; padding-top: 0; }
.verdict { border-radius: 8px; padding: 14px 18px; margin: 8px 0 16px; border: 1px solid; display: flex; gap: 16px; align-items: flex-start; }
.verdict .badge { font-weight: 700; font-size: 18px; letter-spacing: .04em; padding: 4px 12px; border-radius: 6px; color: #fff; white-space: nowrap; }
.verdict p { margin: 3px 0; font-size: 16px; }
.verdict ul { margin: 6px 0 0; padding-left: 20px; }
.v-passed { background: var(--good-bg); border-color: var(--good); } .v-passed .badge { background: var(--good); }
.v-failed, .v-deviated { background: var(--bad-bg); border-color: var(--bad); } .v-failed .badge, .v-deviated .badge { background: var(--bad); }
.v-aborted, .v-interrupted, .v-other { background: var(--warn-bg); border-color: var(--warn); } .v-aborted .badge, .v-interrupted .badge, .v-other .badge { background: var(--warn); }
.pill { display: inline-block; font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 10px; color: #fff; }
.pill.v-passed { background: var(--good); } .pill.v-failed, .pill.v-deviated { background: var(--bad); } .pill.v-aborted, .pill.v-interrupted, .pill.v-other { background: var(--warn); }
.intent p.description { margin: 4px 0 10px; font-size: 16px; }
.intent ul { margin: 4px 0 8px; padding-left: 22px; }
.tags span { display: inline-block; background: var(--info-bg); color: var(--info); border-radius: 10px; padding: 0 8px; margin-right: 4px; font-size: 12px; }
.figures { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 12px; margin: 12px 0 4px; }
.figure { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; background: var(--bg-soft); }
.figure .label { color: var(--muted); font-size: 13px; }
.figure .value { font-size: 28px; font-weight: 700; line-height: 1.2; font-variant-numeric: tabular-nums; }
.figure .note { color: var(--muted); font-size: 13px; }
.figure.good { border-color: var(--good); background: var(--good-bg); } .figure.good .value { color: var(--good); }
.figure.bad { border-color: var(--bad); background: var(--bad-bg); } .figure.bad .value { color: var(--bad); }
.objective { margin: 6px 0 0; color: var(--muted); font-size: 14px; }
figure.timeline { margin: 14px 0; border: 1px solid var(--line); border-radius: 8px; padding: 8px; }
figure.timeline svg { display: block; width: 100%; height: auto; }
figure.timeline figcaption { color: var(--muted); font-size: 13px; padding: 4px 8px 2px; }
.table-wrap { max-width: 100%; overflow-x: auto; margin: 6px 0 10px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
.comparison table { min-width: 720px; }
.comparison td.path { overflow-wrap: anywhere; min-width: 10em; }
th, td { text-align: left; border-bottom: 1px solid var(--line); padding: 5px 8px; vertical-align: top; }
th { background: var(--bg-soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
td.detail { overflow-wrap: anywhere; }
tr.bad td { background: var(--bad-bg); }
.met-yes { color: var(--good); font-weight: 600; } .met-no { color: var(--bad); font-weight: 600; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; font-size: 14px; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; word-break: break-word; }
details { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; padding: 4px 10px; }
details > summary { cursor: pointer; font-weight: 600; }
details pre { white-space: pre-wrap; word-break: break-word; font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--bg-soft); padding: 8px; border-radius: 4px; max-height: 480px; overflow: auto; }
.muted { color: var(--muted); }
section.trend { margin: 18px 0 8px; }
.trend-charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 12px; margin: 8px 0; }
.trend-charts figure { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 6px 8px; }
.trend-charts figcaption { color: var(--muted); font-size: 13px; }
svg.trend-chart { display: block; width: 100%; height: auto; }
.trend-chart .ok { fill: var(--good); } .trend-chart .bad { fill: var(--bad); }
.trend-chart .line { fill: none; stroke: var(--info); stroke-width: 2; }
.trend-chart .objective { stroke: var(--warn); stroke-dasharray: 4 3; } .trend-chart .frame { stroke: var(--line); }
.trend-chart .axis { font-size: 13px; fill: var(--muted); } .trend-chart .none { font-size: 13px; fill: var(--bad); font-weight: 600; }
@media print { details { break-inside: avoid; } figure.timeline { break-inside: avoid; } }
@media (max-width: 800px) { .figures { grid-template-columns: repeat(2, minmax(0, 1fr)); } .trend-charts { grid-template-columns: minmax(0, 1fr); } }
@media (max-width: 600px) { main { padding: 16px 14px 32px; } th, td { padding: 4px; } table { font-size: 13px; } .figure .value { font-size: 22px; } .verdict { flex-direction: column; gap: 8px; } }
`;
