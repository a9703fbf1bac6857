import { anchor, esc } from './html-escape';
import { activityTable, duringTable, figureCards, probeTable, rawOutputs, verdictClass, wrapTable } from './html-sections';
import { REPORT_CSS } from './html-style';
import type { ToolProvenance } from './provenance';
import { comparisonRow, type ReportModel } from './report-model';
import { renderTimelineChart } from './timeline-chart';
import { trendSection, trendsOf } from './trend';

/**
 * The HTML report: one self-contained file (inline CSS and SVG, no script, nothing fetched when it is
 * opened), the verdict first. Several journals make one page that starts with a comparison table.
 */

export interface HtmlReportOptions {
  /** Shown in the page header; omitted when not given, so the same journals give the same bytes. */
  readonly generatedAt?: Date;
  /** The tool that made the report (version, commit); omitted when not given. */
  readonly tool?: ToolProvenance;
}

/** `journals/x.json`, linked to the file when the report knows where it sits relative to it. */
function journalLink(model: ReportModel): string {
  return model.href === null ? esc(model.source) : `<a href="${esc(model.href)}">${esc(model.source)}</a>`;
}

/** `Made by ecs-chaos-platform 0.1.0 at commit abc1234.` */
export function toolLine(tool: ToolProvenance | undefined): string {
  if (tool === undefined) return '';
  return `Made by ${tool.name} ${tool.version}${tool.commit === null ? ' (not in a git checkout)' : ` at commit ${tool.commit}`}.`;
}

function verdictBlock(model: ReportModel): string {
  const v = model.verdict;
  const more = v.reasons.length > 1 ? `<ul>${v.reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : '';
  return `<section class="verdict ${verdictClass(v.kind)}" data-verdict="${v.kind}"><span class="badge">${esc(v.label)}</span><div><p>${esc(v.summary)}</p>${more}</div></section>`;
}

function intentBlock(model: ReportModel): string {
  const i = model.intent;
  return [
    '<section class="intent">',
    i.description ? `<p class="description">${esc(i.description)}</p>` : '',
    i.tags.length > 0 ? `<p class="tags">${i.tags.map((t) => `<span>${esc(t)}</span>`).join('')}</p>` : '',
    '<h4>Expected outcome</h4>',
    `<ul>${i.expected.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>`,
    i.method.length > 0 ? `<p><strong>Method:</strong> ${esc(i.method.join(' → '))}</p>` : '',
    '</section>',
  ].join('\n');
}

function timelineBlock(model: ReportModel): string {
  const f = model.figures;
  if (f === null) return '<p class="muted">No recovery objective was declared, so nothing was measured continuously.</p>';
  const chart = renderTimelineChart(f);
  const figures = figureCards(f);
  if (chart === null)
    return `${figures}\n<p class="muted">No availability samples were recorded (the objective declares no availability probe).</p>`;
  const names = f.objective.sampled.flatMap((a) => (a.probe === null ? [] : [`"${a.probe}"`]));
  const probe = names.length === 0 ? 'the sampled probe' : `${names.length > 1 ? 'probes' : 'probe'} ${names.join(' or ')}`;
  const caption = `${chart.description} Each point is one request of ${probe}; failed samples are red diamonds. The shaded band is the fault window; the lower strip is the share of healthy samples per bucket.`;
  return `${figures}\n<figure class="timeline" data-samples="${f.sampleCount}">\n${chart.svg}\n<figcaption>${esc(caption)}</figcaption>\n</figure>`;
}

function facts(model: ReportModel): string {
  const j = model.journal;
  const rows: [string, string][] = [
    ['Status', `${j.status}${j.deviated ? ' (deviated)' : ''}`],
    ['Started', j.start],
    ['Ended', j.end],
    ['Duration', `${j.duration.toFixed(1)} s`],
    ['Experiment file', j.experiment_file ?? 'n/a'],
    ['Journal', model.source],
    ['Target', model.target],
    ['Image tag', model.provenance.imageTag ?? 'not recorded'],
    ['Engine', model.provenance.engine ?? 'not recorded'],
    ['Commit of the run', model.provenance.commit ?? 'not recorded'],
    ['Rollback strategy', j.rollback_strategy ?? 'n/a'],
  ];
  return `<dl class="facts">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${k === 'Journal' ? journalLink(model) : esc(v)}</dd>`).join('')}</dl>`;
}

function runSection(model: ReportModel, index: number, heading: 'h1' | 'h2'): string {
  const j = model.journal;
  // Faults are undone whatever the strategy, so a skip of the experiment's rollbacks can sit beside runs.
  const skipped = j.rollbacks_skipped !== null ? `<p>Skipped: ${esc(j.rollbacks_skipped)}.</p>` : '';
  const rollbacks = j.rollbacks.length > 0 || skipped === '' ? `${activityTable(j.rollbacks, 'None ran.')}${skipped}` : skipped;
  return [
    `<article class="run" id="${anchor('run', index)}">`,
    `<${heading}>${esc(model.intent.title)}</${heading}>`,
    verdictBlock(model),
    intentBlock(model),
    '<h3>Recovery</h3>',
    timelineBlock(model),
    '<h3>Steady state before</h3>',
    probeTable(j.steady_states.before, 'Not checked.'),
    '<h3>While recovering</h3>',
    duringTable(j.steady_states.during),
    '<h3>Steady state after</h3>',
    probeTable(j.steady_states.after, 'Not checked.'),
    '<h3>Activities</h3>',
    activityTable(j.run, 'No activity ran.'),
    '<h3>Rollbacks</h3>',
    rollbacks,
    '<h3>Raw outputs</h3>',
    rawOutputs([
      { label: 'before', runs: j.steady_states.before?.probes ?? [] },
      { label: 'method', runs: j.run },
      { label: 'after', runs: j.steady_states.after?.probes ?? [] },
      { label: 'rollback', runs: j.rollbacks },
    ]),
    '<h3>Run</h3>',
    facts(model),
    '</article>',
  ].join('\n');
}

function comparisonTable(models: readonly ReportModel[]): string {
  const rows = models
    .map(comparisonRow)
    .map(
      (r, i) =>
        `<tr><td class="num"><a href="#${anchor('run', i)}">${i + 1}</a></td><td class="path">${journalLink(models[i] as ReportModel)}</td><td>${esc(r.title)}</td><td><time datetime="${esc(r.start)}">${esc(r.start.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</time></td><td><span class="pill ${verdictClass(r.verdict.kind)}">${esc(r.verdict.label)}</span> ${esc(r.status)}</td><td class="num">${esc(r.timeToDetect)}${r.detectedBy === '' ? '' : `<br><small class="muted">failed ${esc(r.detectedBy)}</small>`}</td><td class="num">${esc(r.timeToRecover)}</td><td class="num">${esc(r.availability)}</td><td class="num">${esc(r.maxConsecutiveFailures)}</td><td class="num">${esc(r.samples)}</td></tr>`,
    );
  const head = [
    '#',
    'Journal',
    'Experiment',
    'Started',
    'Status',
    'Time to detect',
    'Time to recover',
    'Availability',
    'Max consecutive failures',
    'Samples',
  ];
  const numeric = new Set([0, 5, 6, 7, 8, 9]);
  const th = head.map((h, i) => `<th${numeric.has(i) ? ' class="num"' : ''}>${esc(h)}</th>`).join('');
  return `<section class="comparison">${wrapTable(`<table><thead><tr>${th}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`)}</section>`;
}

/** The whole page for one or more journals. */
export function renderHtmlReport(models: readonly ReportModel[], options: HtmlReportOptions = {}): string {
  const several = models.length > 1;
  const title = several ? `Chaos report: ${models.length} runs` : `Chaos report: ${models[0]?.intent.title ?? 'no journal'}`;
  const generated = `${options.generatedAt === undefined ? '' : ` Generated ${esc(options.generatedAt.toISOString())}.`}${options.tool === undefined ? '' : ` ${esc(toolLine(options.tool))}`}`;
  const header = several
    ? [
        `<header class="page"><h1>${esc(title)}</h1><p>${models.length} journals compared, then each run in full.${generated}</p></header>`,
        comparisonTable(models),
        ...trendsOf(models).map((t) => trendSection(t, (i) => anchor('run', i))),
      ].join('\n')
    : `<header class="page"><p>Chaos experiment report · journal ${models[0] === undefined ? '' : journalLink(models[0])}.${generated}</p></header>`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No network at view time: nothing may load from elsewhere, even if a journal string slipped through.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${esc(title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    header,
    ...models.map((m, i) => runSection(m, i, several ? 'h2' : 'h1')),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
