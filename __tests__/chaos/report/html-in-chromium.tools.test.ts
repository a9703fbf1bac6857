/**
 * The HTML report as a person sees it: the report of an engine-produced journal opened in headless
 * Chromium (Debian's `chromium`), from a file:// URL with networking features off. The DOM Chromium
 * builds must hold the chart's SVG with one point per availability sample, each where its time puts
 * it, the fault window shaded from t0 to recovery and the recovery marked. A screenshot is kept under
 * tmp/artifacts/ (gitignored) and its path printed.
 *
 * The journal, __tests__/chaos/fixtures/engine-journal.json, was written by the real engine (runner,
 * availability sampler at 20/s, recovery wait, rollbacks) against a loopback HTTP server that hung,
 * then answered 503, then healed: see make-engine-journal.ts, which regenerates it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { renderHtmlReport } from '../../../chaos/report/html';
import { readableJournalSchema } from '../../../contract/journal';
import { buildReportModel } from '../../../chaos/report/report-model';
import { FAULT_WINDOW_LABEL, SERIES } from '../../../chaos/report/timeline-chart';
import { requireTool } from '../../images/support/require-tool';
import { REPO } from '../helpers/cli-harness';
import { chromiumArgs, measureOverflow, runChromium, screenshot } from './chromium-page';
import { asReport, HAND_MADE, TREND_RUNS } from './hand-made-journals';
import { ENGINE_JOURNAL_FIXTURE } from './make-engine-journal';

const run = promisify(execFile);
const chromium = requireTool('chromium', 'chromium');
const describeWithChromium = chromium === undefined ? describe.skip : describe;
const ARTIFACTS = join(REPO, 'tmp', 'artifacts', 'chaos-report');

interface Point {
  readonly series: number;
  readonly index: number;
  readonly x: number;
}

/** The sample symbols in the DOM: ECharts tags each data element with its series and data index. */
function pointsIn(dom: string): Point[] {
  const elements = dom.match(/<path [^>]*ecmeta_ssr_type="chart"[^>]*>/g) ?? [];
  return elements.flatMap((el) => {
    const series = Number(/ecmeta_series_index="(\d+)"/.exec(el)?.[1]);
    const index = Number(/ecmeta_data_index="(\d+)"/.exec(el)?.[1]);
    const matrix = /transform="matrix\(([^)]+)\)"/.exec(el)?.[1]?.split(',').map(Number);
    if ((series !== SERIES.healthy && series !== SERIES.failed) || matrix === undefined) return [];
    return [{ series, index, x: matrix[4] ?? Number.NaN }];
  });
}

/** The [left, right] pixel edges of the fault-window band in the upper grid. */
function windowEdges(dom: string): [number, number] {
  const polygon = new RegExp(`<polygon points="([^"]+)"[^>]*ecmeta_series_index="${SERIES.window}"`).exec(dom)?.[1];
  if (polygon === undefined) throw new Error('no fault-window polygon in the DOM');
  const xs = polygon
    .split(/\s+/)
    .map(Number)
    .filter((_, i) => i % 2 === 0);
  return [Math.min(...xs), Math.max(...xs)];
}

/** x of the vertical marker lines of the window series (`M x y1 L x y2`). */
function markerLines(dom: string): number[] {
  const lines = dom.match(new RegExp(`<path d="M[\\d.]+ [\\d.]+L[\\d.]+ [\\d.]+"[^>]*ecmeta_series_index="${SERIES.window}"`, 'g')) ?? [];
  return lines.map((l) => Number(/d="M([\d.]+) /.exec(l)?.[1]));
}

// Two real journals: one from the engine against a loopback server, one from a local-rehearsal run of
// chaos/experiments/stop-proxy-ssh.yaml (docker stop of the proxy over SSH on the single-node swarm).
const FIXTURES = [
  ['engine-journal', ENGINE_JOURNAL_FIXTURE],
  ['rehearsal-stop-proxy-ssh-journal', join(REPO, '__tests__/chaos/fixtures/rehearsal-stop-proxy-ssh-journal.json')],
] as const;

describeWithChromium.each(FIXTURES)('HTML report of %s in headless Chromium', (name, fixture) => {
  const journal = readableJournalSchema.parse(JSON.parse(readFileSync(fixture, 'utf8')));
  const recovery = journal.recovery;
  let work = '';
  let page = '';
  let dom = '';

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'chaos-report-'));
    page = join(work, 'report.html');
    writeFileSync(page, renderHtmlReport([buildReportModel(journal, `__tests__/chaos/fixtures/${name}.json`)]));
    const profile = mkdtempSync(join(tmpdir(), 'chaos-report-chromium-'));
    try {
      ({ stdout: dom } = await run(chromium ?? 'chromium', [...chromiumArgs(profile), '--dump-dom', pathToFileURL(page).href], {
        timeout: 60_000,
        maxBuffer: 64 * 1024 * 1024,
      }));
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('GIVEN the fixture THEN it is a journal with a recovery to draw', () => {
    expect(recovery?.samples.length ?? 0).toBeGreaterThan(40);
    expect(recovery?.samples.some((s) => !s.ok)).toBe(true);
    expect(recovery?.timeToRecoverMs).not.toBeNull();
  });

  it('the chart SVG is in the rendered DOM, after the verdict', () => {
    expect(dom).toMatch(/<figure class="timeline" data-samples="\d+">\s*<svg /);
    expect(dom.indexOf('class="verdict')).toBeLessThan(dom.indexOf('<svg '));
  });

  it('has one point per sample, healthy and failed apart, each at its time', () => {
    const samples = recovery?.samples ?? [];
    const points = pointsIn(dom);
    expect(points).toHaveLength(samples.length);
    const healthy = samples.filter((s) => s.ok);
    const failed = samples.filter((s) => !s.ok);
    const indices = (series: number) =>
      points
        .filter((p) => p.series === series)
        .map((p) => p.index)
        .sort((a, b) => a - b);
    expect(indices(SERIES.healthy)).toEqual(healthy.map((_, i) => i));
    expect(indices(SERIES.failed)).toEqual(failed.map((_, i) => i));
    // The band runs from t0 to recovery, so it gives the time scale the points must follow.
    const [left, right] = windowEdges(dom);
    const pxPerMs = (right - left) / (recovery?.timeToRecoverMs ?? 1);
    for (const p of points) {
      const sample = (p.series === SERIES.healthy ? healthy : failed)[p.index];
      expect(Math.abs(p.x - (left + (sample?.t ?? Number.NaN) * pxPerMs))).toBeLessThan(1.5);
    }
  });

  it('marks the fault window from t0 to recovery, and the detection and recovery lines', () => {
    const [left, right] = windowEdges(dom);
    expect(dom).toContain(`${FAULT_WINDOW_LABEL} (t0 → recovery)`);
    const ttr = recovery?.timeToRecoverMs ?? 0;
    const ttd = recovery?.timeToDetectMs ?? 0;
    expect(dom).toContain(`recovered ${(ttr / 1000).toFixed(2)} s`);
    expect(dom).toContain(`detected ${(ttd / 1000).toFixed(2)} s`);
    const lines = markerLines(dom);
    const pxPerMs = (right - left) / ttr;
    // Within 2 px (ECharts snaps lines to the pixel grid); one sample interval is ~12 px here.
    expect(lines.some((x) => Math.abs(x - right) < 2)).toBe(true);
    expect(lines.some((x) => Math.abs(x - (left + ttd * pxPerMs)) < 1)).toBe(true);
    // The first sample is taken at t0, the left edge of the window.
    const first = pointsIn(dom).find((p) => p.index === 0 && p.series === (recovery?.samples[0]?.ok ? SERIES.healthy : SERIES.failed));
    expect(Math.abs((first?.x ?? Number.NaN) - left)).toBeLessThan(1.5);
  });

  it('writes a screenshot as a test artifact', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const png = join(ARTIFACTS, `${name}.png`);
    rmSync(png, { force: true });
    const profile = mkdtempSync(join(tmpdir(), 'chaos-report-chromium-'));
    try {
      await run(
        chromium ?? 'chromium',
        [...chromiumArgs(profile), `--screenshot=${png}`, '--window-size=1280,2000', '--hide-scrollbars', pathToFileURL(page).href],
        { timeout: 60_000 },
      );
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
    const bytes = readFileSync(png);
    expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([1280, 2000]);
    writeFileSync(join(ARTIFACTS, `${name}.html`), readFileSync(page));
    console.log(`HTML report screenshot: ${png}`);
  });
});

/**
 * A six-run report (every way a run ends, and a second pass) as a person opens it on a laptop (1280 px)
 * and on a phone (390 px): the page never scrolls sideways; a wide table scrolls inside its own box.
 */
describeWithChromium('six-run HTML report at 1280 and 390 px', () => {
  const journals = [...Object.entries(HAND_MADE), ['completed-again', HAND_MADE.completed] as const];
  let work = '';
  let page = '';

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'chaos-report-six-'));
    page = join(work, 'six-runs.html');
    const models = journals.map(([name, j]) => buildReportModel(asReport(j), `journals/${name}-2026-03-02T09-00-00-000Z.json`));
    writeFileSync(page, renderHtmlReport(models));
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it.each([1280, 390])('at %i px the page does not scroll sideways', async (width) => {
    const o = await measureOverflow(chromium ?? 'chromium', page, width);
    expect(o.innerWidth).toBe(width);
    expect(o.culprits).toEqual([]);
    expect(o.scrollWidth).toBeLessThanOrEqual(o.innerWidth);
    // At 1280 px the summary table fits whole; on a phone it scrolls inside its box instead.
    if (width === 1280) expect(o.scrolling).not.toContain('comparison');
    else expect(o.scrolling).toContain('comparison');
  });

  it.each([1280, 390])('at %i px a screenshot is kept as a test artifact', async (width) => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const png = join(ARTIFACTS, `six-runs-${width}.png`);
    expect(await screenshot(chromium ?? 'chromium', page, png, width, 2400)).toEqual([width, 2400]);
    writeFileSync(join(ARTIFACTS, 'six-runs.html'), readFileSync(page));
    console.log(`six-run report screenshot: ${png}`);
  });
});

/** The trend of six runs of one experiment, at the same two widths, with the same checks. */
describeWithChromium('trend report at 1280 and 390 px', () => {
  let work = '';
  let page = '';

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'chaos-report-trend-'));
    page = join(work, 'trend.html');
    writeFileSync(page, renderHtmlReport(TREND_RUNS.map((j, i) => buildReportModel(asReport(j), `journals/run-${i + 1}.json`))));
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it.each([1280, 390])('at %i px the page does not scroll sideways and the trend is drawn', async (width) => {
    const o = await measureOverflow(chromium ?? 'chromium', page, width);
    expect(o.culprits).toEqual([]);
    expect(o.scrollWidth).toBeLessThanOrEqual(o.innerWidth);
    expect(o.scrolling).not.toContain('trend');
    const dom = await runChromium(chromium ?? 'chromium', [`--window-size=${width},1000`, '--dump-dom', pathToFileURL(page).href]);
    expect(dom.match(/<svg class="trend-chart"/g)).toHaveLength(2);
  });

  it.each([1280, 390])('at %i px a screenshot is kept as a test artifact', async (width) => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const png = join(ARTIFACTS, `trend-${width}.png`);
    expect(await screenshot(chromium ?? 'chromium', page, png, width, 1600)).toEqual([width, 1600]);
    writeFileSync(join(ARTIFACTS, 'trend.html'), readFileSync(page));
    console.log(`trend report screenshot: ${png}`);
  });
});
