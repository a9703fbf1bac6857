import { readFileSync } from 'node:fs';
import { readableJournalSchema } from '../../../contract/journal';
import { reportPathBeside, resolveReportFormat, type ReportFormat } from '../../../chaos/report/render';
import { buildReportModel } from '../../../chaos/report/report-model';
import { LARGE_THRESHOLD, renderTimelineChart, SERIES } from '../../../chaos/report/timeline-chart';
import { asReport, HAND_MADE, samplesFor } from './hand-made-journals';
import { ENGINE_JOURNAL_FIXTURE } from './make-engine-journal';

/** The figures and verdict both reports print, computed once from the journal. */

const chaostoolkit = readableJournalSchema.parse({
  experiment: { title: 'ctk' },
  start: '2024-01-01T00:00:00Z',
  end: '2024-01-01T00:00:01Z',
  duration: 1,
  status: 'completed',
  deviated: false,
  steady_states: { before: { steady_state_met: true, probes: [] }, after: null, during: [] },
  run: [],
  rollbacks: [],
});

describe('report model', () => {
  it('GIVEN a completed journal THEN figures from the recovery record, latency of healthy samples only', () => {
    const f = buildReportModel(asReport(HAND_MADE.completed), 'j.json').figures;
    expect(f).toMatchObject({
      timeToDetectMs: 400,
      timeToRecoverMs: 3000,
      availability: 80.33,
      maxConsecutiveFailures: 12,
      sampleCount: 61,
      failedCount: 12,
      met: true,
    });
    expect(f?.streakSeconds).toBeCloseTo(0.6);
    expect(f?.latency).toEqual({ p50: 15, p95: 18, max: 18 });
    // An objective recorded the old way (one probe as an object) reads as a list of one.
    expect(f?.objective).toEqual({
      withinS: 60,
      pollS: 1,
      minAvailability: 80,
      probe: 'api-health',
      rate: 20,
      timeoutS: 2,
      sampled: [{ probe: 'api-health', min: 80, rate: 20, timeoutS: 2 }],
    });
  });

  it('GIVEN the experiment THEN its intent: description, tags, expected outcome, method', () => {
    expect(buildReportModel(asReport(HAND_MADE.completed), 'j.json').intent).toEqual({
      title: 'The API comes back after its container is stopped',
      description: 'docker stop on the API container; the restart policy brings it back.',
      tags: ['rehearsal'],
      expected: [
        'The steady state "The API answers through the proxy" holds before the fault and again after it.',
        'The platform recovers within 60 s of the first action.',
        'Availability stays at or above 80 % ("api-health", sampled 20 times a second).',
      ],
      method: ['stop-api-container (action)'],
    });
  });

  it('GIVEN a chaostoolkit journal THEN no figures, a plain expectation, the verdict still computed', () => {
    const model = buildReportModel(chaostoolkit, 'ctk.json');
    expect(model.figures).toBeNull();
    expect(model.intent.expected).toEqual(['The method runs without failing.']);
    expect(model.verdict).toEqual({
      kind: 'passed',
      label: 'PASSED',
      summary: 'the steady state held before and after the method.',
      reasons: [],
    });
    expect(model.target).toBe('n/a');
  });

  it('GIVEN a status this engine never writes THEN it is shown as it is', () => {
    const model = buildReportModel({ ...chaostoolkit, status: 'skipped', reasons: [] }, 'x.json');
    expect(model.verdict).toEqual({ kind: 'other', label: 'SKIPPED', summary: 'see below.', reasons: [] });
  });

  it('GIVEN an objective without an availability rate THEN no streak in seconds', () => {
    const j = asReport(HAND_MADE.completed);
    const recovery = j.recovery === null ? null : { ...j.recovery, objective: { within: 60 } };
    expect(buildReportModel({ ...j, recovery }, 'j.json').figures?.streakSeconds).toBeNull();
  });
});

describe('report formats and paths', () => {
  it.each<[ReportFormat | undefined, string | undefined, ReportFormat]>([
    [undefined, undefined, 'markdown'],
    [undefined, 'r.md', 'markdown'],
    [undefined, 'r.html', 'html'],
    [undefined, 'R.HTM', 'html'],
    ['markdown', 'r.html', 'markdown'],
    ['html', undefined, 'html'],
  ])('format %s with --out %s → %s', (format, out, expected) => expect(resolveReportFormat(format, out)).toBe(expected));

  it('puts the report beside the journal', () => {
    expect(reportPathBeside('journals/api-2026.json', 'html')).toBe('journals/api-2026.html');
    expect(reportPathBeside('/abs/j.json', 'markdown')).toBe('/abs/j.md');
  });
});

describe('timeline chart (SVG from ECharts in Node)', () => {
  const symbols = (svg: string, series: number) =>
    (svg.match(new RegExp(`<path [^>]*ecmeta_series_index="${series}" ecmeta_data_index="\\d+" ecmeta_ssr_type="chart"`, 'g')) ?? [])
      .length;

  it('GIVEN the engine journal THEN one symbol per sample', () => {
    const journal = readableJournalSchema.parse(JSON.parse(readFileSync(ENGINE_JOURNAL_FIXTURE, 'utf8')));
    const f = buildReportModel(journal, 'engine.json').figures;
    const chart = f === null ? null : renderTimelineChart(f);
    expect(chart?.svg).toMatch(/^<svg width="\d+" height="\d+" xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(symbols(chart?.svg ?? '', SERIES.healthy)).toBe(f?.sampleCount === undefined ? -1 : f.sampleCount - f.failedCount);
    expect(symbols(chart?.svg ?? '', SERIES.failed)).toBe(f?.failedCount);
  });

  it('GIVEN a deadline close to the data THEN it is drawn; far from it THEN the caption says so', () => {
    const j = asReport(HAND_MADE.completed);
    const near = j.recovery === null ? null : { ...j.recovery, objective: { within: 4, availability: { rate: 20 } } };
    const nearChart = renderTimelineChart(buildReportModel({ ...j, recovery: near }, 'j').figures ?? fail('figures'));
    expect(nearChart?.svg).toContain('deadline 4 s');
    const farChart = renderTimelineChart(buildReportModel(j, 'j').figures ?? fail('figures'));
    expect(farChart?.svg).not.toContain('deadline 60 s');
    expect(farChart?.description).toContain('The deadline (60 s) lies beyond the right edge.');
  });

  it(`GIVEN more than ${LARGE_THRESHOLD} samples in a series THEN drawn as one path (large mode), still every sample`, () => {
    const j = asReport(HAND_MADE.completed);
    const samples = [...samplesFor(LARGE_THRESHOLD + 500, 400, 1000)];
    const recovery = j.recovery === null ? null : { ...j.recovery, samples };
    const chart = renderTimelineChart(buildReportModel({ ...j, recovery }, 'j').figures ?? fail('figures'));
    expect(symbols(chart?.svg ?? '', SERIES.healthy)).toBeLessThan(5);
    expect(symbols(chart?.svg ?? '', SERIES.failed)).toBe(12);
    // Large mode draws every healthy sample as a sub-path of one path: one circle (two arcs) each.
    const healthyPath = /<path d="([^"]+)"[^>]*fill="#2f9e44"/.exec(chart?.svg ?? '')?.[1] ?? '';
    expect(healthyPath.match(/M/g)?.length).toBe(samples.filter((s) => s.ok).length);
  });

  it('GIVEN no samples THEN no chart', () => {
    const f = buildReportModel(asReport(HAND_MADE.failed), 'j').figures;
    expect(f === null ? 'no figures' : renderTimelineChart(f)).toBeNull();
  });
});

function fail(what: string): never {
  throw new Error(`fixture has no ${what}`);
}
