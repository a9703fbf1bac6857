import { renderHtmlReport } from '../../../chaos/report/html';
import { renderMarkdownReports } from '../../../chaos/report/markdown';
import { buildReportModel } from '../../../chaos/report/report-model';
import { sparkline, trendsOf } from '../../../chaos/report/trend';
import { asReport, HAND_MADE, TREND_RUNS } from './hand-made-journals';

const models = TREND_RUNS.map((j, i) => buildReportModel(asReport(j), `journals/run-${i}.json`));

describe('trend of several runs of one experiment', () => {
  it('GIVEN six runs out of order THEN one trend, oldest first, with each run time to recover and availability', () => {
    const [trend, ...more] = trendsOf(models);
    expect(more).toEqual([]);
    expect(trend?.title).toBe('The API comes back after its container is stopped');
    expect(trend?.points.map((p) => p.source)).toEqual([1, 2, 0, 3, 4, 5].map((i) => `journals/run-${i}.json`));
    expect(trend?.points.map((p) => p.timeToRecoverMs)).toEqual([3000, 3200, 3500, null, 2800, 2500]);
    // Availability is the journal's own figure, per run.
    expect(trend?.points.map((p) => p.availability)).toEqual([1, 2, 0, 3, 4, 5].map((i) => models[i]?.figures?.availability));
    expect(new Set(trend?.points.map((p) => p.availability)).size).toBe(6);
    expect(trend?.withinS).toBe(60);
    expect(trend?.minAvailability).toBe(80);
  });

  it('GIVEN runs of different experiments THEN no trend for an experiment run once', () => {
    const other = buildReportModel(
      asReport({ ...HAND_MADE.completed, experiment: { ...HAND_MADE.completed.experiment, title: 'Other' } }),
      'o.json',
    );
    expect(trendsOf([models[0], other].flatMap((m) => (m === undefined ? [] : [m])))).toEqual([]);
    expect(trendsOf([...models, other]).map((t) => t.title)).toEqual(['The API comes back after its container is stopped']);
  });

  it('HTML: inline SVG bars whose heights follow the time to recover, dots for availability, and a table', () => {
    const html = renderHtmlReport(models);
    const section = /<section class="trend" data-runs="6">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
    expect(section).not.toBe('');
    expect(html.indexOf('<section class="comparison">')).toBeLessThan(html.indexOf('<section class="trend"'));
    expect(html.indexOf('<section class="trend"')).toBeLessThan(html.indexOf('<article class="run"'));
    const bars = [...section.matchAll(/data-ttr-ms="(\d*)">(?:<title>[^<]*<\/title>)(?:<rect [^>]*height="([\d.]+)")?/g)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(bars.map(([ms]) => ms)).toEqual(['3000', '3200', '3500', '', '2800', '2500']);
    // Same scale for every bar: height / time to recover is one constant.
    const ratios = bars.flatMap(([ms, h]) => (ms ? [Number(h) / Number(ms)] : []));
    for (const r of ratios) expect(Math.abs(r - (ratios[0] ?? 0))).toBeLessThan(0.001);
    expect(section).toContain('<title>run 4: not recovered</title>');
    expect(section.match(/data-availability="[\d.]+"><title>[^<]*<\/title><circle /g)).toHaveLength(6);
    // Numbered as in the comparison table (the order given), in the charts and the table: oldest
    // first, the runs are #2, #3, #1, #4, #5, #6, each linking to its own section.
    const runs = (re: RegExp) => [...section.matchAll(re)].map((m) => m[1]);
    expect(runs(/<g data-run="(\d+)" data-ttr-ms/g)).toEqual(['2', '3', '1', '4', '5', '6']);
    expect(runs(/<g data-run="(\d+)" data-availability/g)).toEqual(['2', '3', '1', '4', '5', '6']);
    const links = [...section.matchAll(/<tr><td class="num"><a href="#run-(\d)">(\d)<\/a><\/td>/g)].map((m) => [m[1], m[2]]);
    expect(links).toEqual([2, 3, 1, 4, 5, 6].map((n) => [String(n), String(n)]));
    // The comparison table's row #n links to the same section as the trend's run n.
    const comparison = /<section class="comparison">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
    const rows = [...comparison.matchAll(/<tr><td class="num"><a href="#run-(\d)">(\d)<\/a><\/td>/g)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual([1, 2, 3, 4, 5, 6].map((n) => [String(n), String(n)]));
    // Self-contained: no external asset.
    expect(section).not.toMatch(/<(img|script|link)\b|xlink:href|url\(/);
  });

  it('Markdown: sparklines and a table', () => {
    const md = renderMarkdownReports(models);
    expect(md).toContain('## Trend: The API comes back after its container is stopped');
    expect(md).toContain(`- Time to recover: \`${sparkline([3000, 3200, 3500, null, 2800, 2500], 3500)}\``);
    expect(md).toMatch(/\| 4 \| 2026-03-05T08:59:59\.000Z \| FAILED \| n\/a \| [\d.]+ % \|/);
    const trendPart = md.slice(md.indexOf('## Trend:')).split('\n---\n')[0] ?? '';
    const trendRows = [...trendPart.matchAll(/^\| (\d) \| 2026/gm)].map((m) => m[1]);
    expect(trendRows).toEqual(['2', '3', '1', '4', '5', '6']);
  });

  it('sparkline scales to the max and marks missing values', () => {
    expect(sparkline([0, 50, 100, null], 100)).toBe('▁▅█·');
  });
});
