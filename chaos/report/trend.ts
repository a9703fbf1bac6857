import { percent, seconds } from './format';
import { esc } from './html-escape';
import type { ReportModel, Verdict } from './report-model';

/**
 * The trend of one experiment over several runs: when the journals given include two or more runs of
 * the same experiment (the same title), its time to recover and availability, oldest run first.
 * Each run is named by its number in the comparison table (`#`: the order the journals were given),
 * in the charts and the table alike, so "run 3" is the same run everywhere on the page.
 */

export interface TrendPoint {
  /** The run's position among the report's journals (0-based), for links to its section. */
  readonly index: number;
  /** Its number in the comparison table (index + 1). */
  readonly run: number;
  readonly source: string;
  readonly start: string;
  readonly verdict: Verdict;
  /** Null when the run did not recover (or measured nothing). */
  readonly timeToRecoverMs: number | null;
  readonly availability: number | null;
}

export interface Trend {
  readonly title: string;
  readonly points: readonly TrendPoint[];
  /** The objective of the newest run, drawn as a reference line. */
  readonly withinS: number | null;
  readonly minAvailability: number | null;
}

/** One trend per experiment title with two runs or more, in the order the titles first appear. */
export function trendsOf(models: readonly ReportModel[]): Trend[] {
  const groups = new Map<string, { model: ReportModel; index: number }[]>();
  models.forEach((model, index) => {
    const list = groups.get(model.intent.title) ?? [];
    list.push({ model, index });
    groups.set(model.intent.title, list);
  });
  return [...groups.entries()]
    .filter(([, runs]) => runs.length > 1)
    .map(([title, runs]) => {
      const sorted = [...runs].sort((a, b) => Date.parse(a.model.journal.start) - Date.parse(b.model.journal.start) || a.index - b.index);
      const newest = sorted[sorted.length - 1]?.model.figures?.objective;
      return {
        title,
        withinS: newest?.withinS ?? null,
        minAvailability: newest?.minAvailability ?? null,
        points: sorted.map(({ model, index }) => ({
          index,
          run: index + 1,
          source: model.source,
          start: model.journal.start,
          verdict: model.verdict,
          timeToRecoverMs: model.figures?.timeToRecoverMs ?? null,
          availability: model.figures?.availability ?? null,
        })),
      };
    });
}

const W = 600;
const H = 130;
const PAD = { left: 44, right: 10, top: 12, bottom: 22 };

function fmt(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** Bars of time to recover, one per run; a run that did not recover is a red "n/a" at the top. */
export function recoverBars(trend: Trend): string {
  const values = trend.points.map((p) => p.timeToRecoverMs);
  const objectiveMs = trend.withinS === null ? null : trend.withinS * 1000;
  // Scaled to the runs, so that a change shows; an objective far above them is named, not drawn.
  const max = Math.max(1, ...values.map((v) => v ?? 0)) * 1.2;
  const drawn = objectiveMs !== null && objectiveMs <= max;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / values.length;
  const barW = Math.max(2, Math.min(48, slot * 0.6));
  const y = (ms: number) => PAD.top + plotH - (ms / max) * plotH;
  const bars = trend.points.map((p, i) => {
    const x = PAD.left + slot * i + (slot - barW) / 2;
    const label = `<text x="${fmt(x + barW / 2)}" y="${H - 6}" text-anchor="middle" class="axis">${p.run}</text>`;
    if (p.timeToRecoverMs === null)
      return `<g data-run="${p.run}" data-ttr-ms=""><title>run ${p.run}: not recovered</title><text x="${fmt(x + barW / 2)}" y="${PAD.top + 12}" text-anchor="middle" class="none">n/a</text>${label}</g>`;
    const top = y(p.timeToRecoverMs);
    return `<g data-run="${p.run}" data-ttr-ms="${p.timeToRecoverMs}"><title>run ${p.run}: ${esc(seconds(p.timeToRecoverMs))}</title><rect x="${fmt(x)}" y="${fmt(top)}" width="${fmt(barW)}" height="${fmt(PAD.top + plotH - top)}" class="${p.verdict.kind === 'passed' ? 'ok' : 'bad'}"/>${label}</g>`;
  });
  const objective =
    objectiveMs === null
      ? ''
      : drawn
        ? `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${fmt(y(objectiveMs))}" y2="${fmt(y(objectiveMs))}" class="objective"/><text x="${W - PAD.right}" y="${fmt(y(objectiveMs) - 3)}" text-anchor="end" class="axis">objective ${fmt(objectiveMs / 1000)} s</text>`
        : '';
  return svg('Time to recover per run, in seconds', [axis(`${fmt(max / 1000)} s`, '0 s'), objective, ...bars]);
}

/** Availability per run as a line with a dot per run, on a 0–100 % scale. */
export function availabilityLine(trend: Trend): string {
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / trend.points.length;
  const x = (i: number) => PAD.left + slot * i + slot / 2;
  const y = (pct: number) => PAD.top + plotH - (pct / 100) * plotH;
  const known = trend.points.flatMap((p, i) => (p.availability === null ? [] : [[x(i), y(p.availability)] as const]));
  const line = known.length > 1 ? `<polyline points="${known.map(([a, b]) => `${fmt(a)},${fmt(b)}`).join(' ')}" class="line"/>` : '';
  const dots = trend.points.map((p, i) => {
    const label = `<text x="${fmt(x(i))}" y="${H - 6}" text-anchor="middle" class="axis">${p.run}</text>`;
    if (p.availability === null)
      return `<g data-run="${p.run}" data-availability=""><title>run ${p.run}: not measured</title><text x="${fmt(x(i))}" y="${PAD.top + 12}" text-anchor="middle" class="none">n/a</text>${label}</g>`;
    const met = trend.minAvailability === null || p.availability >= trend.minAvailability;
    return `<g data-run="${p.run}" data-availability="${p.availability}"><title>run ${p.run}: ${esc(percent(p.availability))}</title><circle cx="${fmt(x(i))}" cy="${fmt(y(p.availability))}" r="4" class="${met ? 'ok' : 'bad'}"/>${label}</g>`;
  });
  const min = trend.minAvailability;
  const objective =
    min === null
      ? ''
      : `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${fmt(y(min))}" y2="${fmt(y(min))}" class="objective"/><text x="${W - PAD.right}" y="${fmt(y(min) + 12)}" text-anchor="end" class="axis">objective ${min} %</text>`;
  return svg('Availability per run, in percent', [axis('100 %', '0 %'), objective, line, ...dots]);
}

function axis(top: string, bottom: string): string {
  const plotBottom = H - PAD.bottom;
  return `<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${plotBottom}" class="frame"/><line x1="${PAD.left}" x2="${W - PAD.right}" y1="${plotBottom}" y2="${plotBottom}" class="frame"/><text x="${PAD.left - 4}" y="${PAD.top + 4}" text-anchor="end" class="axis">${esc(top)}</text><text x="${PAD.left - 4}" y="${plotBottom}" text-anchor="end" class="axis">${esc(bottom)}</text>`;
}

function svg(label: string, parts: readonly string[]): string {
  return `<svg class="trend-chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(label)}" xmlns="http://www.w3.org/2000/svg"><title>${esc(label)}</title>${parts.join('')}</svg>`;
}

/** The trend section of the HTML page: the two charts, then a table of the runs. */
export function trendSection(trend: Trend, anchorOf: (index: number) => string): string {
  const rows = trend.points.map(
    (p) =>
      `<tr><td class="num"><a href="#${anchorOf(p.index)}">${p.run}</a></td><td><time datetime="${esc(p.start)}">${esc(p.start.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</time></td><td><span class="pill v-${p.verdict.kind}">${esc(p.verdict.label)}</span></td><td class="num">${esc(seconds(p.timeToRecoverMs))}</td><td class="num">${esc(percent(p.availability))}</td></tr>`,
  );
  const table = `<div class="table-wrap"><table><thead><tr><th class="num">#</th><th>Started</th><th>Verdict</th><th class="num">Time to recover</th><th class="num">Availability</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table></div>`;
  return [
    `<section class="trend" data-runs="${trend.points.length}">`,
    `<h2>Trend: ${esc(trend.title)}</h2>`,
    `<p class="muted">${trend.points.length} runs of this experiment, oldest first; each is numbered as in the comparison table (#).</p>`,
    '<div class="trend-charts">',
    `<figure><figcaption>Time to recover${trend.withinS === null ? '' : ` (objective ≤ ${trend.withinS} s)`}</figcaption>${recoverBars(trend)}</figure>`,
    `<figure><figcaption>Availability${trend.minAvailability === null ? '' : ` (objective ≥ ${trend.minAvailability} %)`}</figcaption>${availabilityLine(trend)}</figure>`,
    '</div>',
    table,
    '</section>',
  ].join('\n');
}

const BLOCKS = '▁▂▃▄▅▆▇█';

/** A text sparkline (`▁▃█`), `·` for a missing value, scaled to `max`. */
export function sparkline(values: readonly (number | null)[], max: number): string {
  return values
    .map((v) =>
      v === null ? '·' : (BLOCKS[Math.min(BLOCKS.length - 1, Math.round((v / Math.max(max, 1e-9)) * (BLOCKS.length - 1)))] ?? '█'),
    )
    .join('');
}

/** The trend in Markdown: sparklines, then a table of the runs. */
export function trendMarkdown(trend: Trend): string[] {
  const ttr = trend.points.map((p) => p.timeToRecoverMs);
  const availability = trend.points.map((p) => p.availability);
  return [
    `## Trend: ${trend.title}`,
    '',
    `${trend.points.length} runs, oldest first; each is numbered as in the comparison table (#).`,
    '',
    `- Time to recover: \`${sparkline(ttr, Math.max(0, ...ttr.map((v) => v ?? 0)))}\` (· = not recovered)`,
    `- Availability: \`${sparkline(availability, 100)}\` (0–100 %)`,
    '',
    '| # | Started | Verdict | Time to recover | Availability |',
    '|---|---|---|---|---|',
    ...trend.points.map(
      (p) => `| ${p.run} | ${p.start} | ${p.verdict.label} | ${seconds(p.timeToRecoverMs)} | ${percent(p.availability)} |`,
    ),
    '',
  ];
}
