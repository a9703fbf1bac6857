import { renderHtmlReport } from '../../../chaos/report/html';
import { renderMarkdownModel, renderMarkdownReports } from '../../../chaos/report/markdown';
import { buildReportModel, type ReportModel, type VerdictKind } from '../../../chaos/report/report-model';
import { seconds } from '../../../chaos/report/format';
import { asReport, HAND_MADE, HOSTILE, hostileJournal, type EngineStatusCase } from './hand-made-journals';

/** Every way a run ends renders in both formats, with the verdict first. */
const CASES: [EngineStatusCase, VerdictKind, string, RegExp][] = [
  ['completed', 'passed', 'PASSED', /^the steady state held; recovered in 3\.00 s with 80\.33% availability, within the objective\.$/],
  ['deviated', 'deviated', 'DEVIATED', /^steady state deviated after the method/],
  ['failed', 'failed', 'FAILED', /^steady state not met before the method, so no fault was injected/],
  ['aborted', 'aborted', 'ABORTED', /^aborted: TypeError/],
  ['interrupted', 'interrupted', 'INTERRUPTED', /^interrupted by SIGINT$/],
];

const modelOf = (c: EngineStatusCase) => buildReportModel(asReport(HAND_MADE[c]), `journals/${c}.json`);

describe.each(CASES)('a %s journal', (name, kind, label, summary) => {
  const model = modelOf(name);

  it(`GIVEN the journal THEN the shared verdict is ${label}`, () => {
    expect(model.verdict).toMatchObject({ kind, label });
    expect(model.verdict.summary).toMatch(summary);
  });

  it('renders as Markdown with the verdict on the third line', () => {
    const md = renderMarkdownModel(model);
    expect(md.split('\n')[2]).toBe(`**Verdict: ${label}**: ${model.verdict.summary}`);
    for (const heading of [
      '## Intent',
      '## Figures',
      '## Steady state before',
      '## While recovering',
      '## Steady state after',
      '## Activities',
      '## Rollbacks',
    ])
      expect(md).toContain(heading);
  });

  it('renders as one HTML page whose first section is the verdict', () => {
    const html = renderHtmlReport([model]);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    const firstSection = /<section class="verdict (v-[a-z]+)" data-verdict="([a-z]+)"><span class="badge">([A-Z]+)<\/span>/.exec(html);
    expect(firstSection?.slice(1)).toEqual([`v-${kind}`, kind, label]);
    expect(html.indexOf('class="verdict')).toBeLessThan(html.indexOf('<h3>'));
    for (const heading of [
      'Recovery',
      'Steady state before',
      'While recovering',
      'Steady state after',
      'Activities',
      'Rollbacks',
      'Raw outputs',
    ])
      expect(html).toContain(`<h3>${heading}</h3>`);
  });
});

describe('what each journal shows', () => {
  it('GIVEN samples THEN the chart is drawn; GIVEN none or no recovery THEN it says why', () => {
    expect(renderHtmlReport([modelOf('completed')])).toMatch(/<figure class="timeline" data-samples="61">\s*<svg /);
    expect(renderHtmlReport([modelOf('failed')])).toContain('No availability samples were recorded');
    expect(renderHtmlReport([modelOf('aborted')])).toContain('No recovery objective was declared');
  });

  it('GIVEN no recovery THEN the window is marked "not recovered" and no recovery line is drawn', () => {
    const html = renderHtmlReport([modelOf('interrupted')]);
    expect(html).toContain('fault window (not recovered)');
    expect(html).not.toMatch(/>recovered \d/);
    expect(html).toContain('Recovery objective: <span class="">not measured (the method did not complete)</span>');
  });

  it('GIVEN the same journal THEN Markdown and HTML show the same figures (one computation)', () => {
    const model = modelOf('completed');
    const md = renderMarkdownModel(model);
    const html = renderHtmlReport([model]);
    for (const figure of ['0.40 s', '3.00 s', '80.33 %', '12']) {
      expect(md).toContain(figure);
      expect(html).toContain(`<div class="value">${figure}</div>`);
    }
    expect(md).toContain('| Availability | 80.33 % (61 samples, 12 failed) | >= 80 % |');
    expect(md).toContain('| Max consecutive failures | 12 (about 0.6 s) | |');
    expect(html).toContain('about 0.6 s without an answer');
    expect(html).toContain('objective ≥ 80 % · 61 samples, 12 failed');
  });

  it('GIVEN skipped rollbacks THEN the reason is in both reports', () => {
    const model = modelOf('failed');
    expect(renderMarkdownModel(model)).toContain('Skipped: no activity of the method ran, so there is nothing to roll back.');
    expect(renderHtmlReport([model])).toContain('<p>Skipped: no activity of the method ran, so there is nothing to roll back.</p>');
  });

  it('GIVEN raw outputs THEN each is collapsed in its own <details> inside one closed <details>', () => {
    const html = renderHtmlReport([modelOf('aborted')]);
    expect(html).toMatch(/<details class="raw"><summary>Raw activity outputs \(3\)<\/summary>/);
    expect(html).toMatch(
      /<details><summary>method: stop-api-container <span class="muted">\(failed, 0\.35 s\)<\/span><\/summary><pre>TypeError: Cannot read/,
    );
    expect(html).not.toMatch(/<details[^>]* open/);
  });
});

describe('several journals: one report with a comparison table', () => {
  const models = (['completed', 'deviated', 'interrupted'] as const).map(modelOf);

  it('HTML: a row per journal (status, TTD and what detected it, TTR, availability) linking to its run, then each run', () => {
    const html = renderHtmlReport(models);
    const table = /<section class="comparison">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
    const rows = table.match(/<tr><td class="num"><a href="#run-\d+">\d+<\/a><\/td>.*<\/tr>/g) ?? [];
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(
      /href="#run-1">1<\/a><\/td><td class="path">journals\/completed\.json<\/td>.*PASSED<\/span> completed<\/td><td class="num">0\.40 s<br><small class="muted">failed sample<\/small><\/td><td class="num">3\.00 s<\/td><td class="num">80\.33 %<\/td><td class="num">12<\/td>/,
    );
    expect(rows[1]).toMatch(
      /DEVIATED<\/span> failed \(deviated\)<\/td><td class="num">0\.40 s<br><small class="muted">failed sample<\/small><\/td><td class="num">n\/a<\/td><td class="num">0\.67 %<\/td>/,
    );
    expect(rows[2]).toMatch(/INTERRUPTED<\/span> interrupted/);
    expect(html.match(/<article class="run" id="run-\d+">/g)).toEqual([
      '<article class="run" id="run-1">',
      '<article class="run" id="run-2">',
      '<article class="run" id="run-3">',
    ]);
    expect(html.match(/<figure class="timeline"/g)).toHaveLength(3);
    // Each chart clips by id: ids must not collide between the charts of one page.
    const ids = (html.match(/ id="[^"]+"/g) ?? []).map((id) => id.slice(5, -1));
    expect(ids.length).toBeGreaterThan(6);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('Markdown: the same comparison first', () => {
    const md = renderMarkdownReports(models);
    expect(md.split('\n')[0]).toBe('# Comparison of 3 runs');
    expect(md).toMatch(
      /\| 2 \| journals\/deviated\.json \| .* \| DEVIATED \| 0\.40 s \(failed sample\) \| n\/a \| 0\.67 % \| 1192 \| 1200 \(1192 failed\) \|/,
    );
  });
});

describe('journal strings are escaped; the page loads nothing', () => {
  const html = renderHtmlReport([buildReportModel(asReport(hostileJournal()), `journals/${HOSTILE}.json`)]);

  it('GIVEN markup in every string of the journal THEN none of it is markup in the page', () => {
    // Escaped text holds no `<`, so any tag in the page is one the renderer wrote.
    const tags = new Set((html.match(/<\/?[a-z][a-z0-9]*/gi) ?? []).map((t) => t.toLowerCase()));
    for (const tag of ['<script', '<img', '</script']) expect(tags).not.toContain(tag);
    expect(html).not.toMatch(/<[^>]*\sonerror=/i);
    expect(html).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &#39;quoted&#39; &lt;/pre&gt;&lt;/details&gt;',
    );
    // Every hostile string that went in comes out escaped, once per place it was put.
    expect(html.split('&lt;script&gt;').length - 1).toBeGreaterThanOrEqual(10);
  });

  it('GIVEN any journal THEN no external resource: no script, link, src, url() or remote href', () => {
    for (const page of [html, renderHtmlReport((['completed', 'deviated'] as const).map(modelOf))]) {
      expect(page).not.toMatch(/<(script|link|iframe|object|embed|img|image|use)\b|url\((?!#)|@import/i);
      expect(page).not.toMatch(/<[^>]*\s(src|href|xlink:href)="(?!#)/i);
      expect(page).toContain(
        `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
      );
    }
  });
});

describe('time to detect says what detected it', () => {
  const byPoll = (): ReportModel => {
    const j = HAND_MADE.completed;
    const recovery = j.recovery === null ? fail('recovery') : { ...j.recovery, timeToDetectMs: 1000, detectedBy: 'poll' as const };
    return buildReportModel(asReport({ ...j, recovery }), 'journals/by-poll.json');
  };

  it.each([
    ['a failed sample', () => modelOf('completed'), 'detected by a failed sample, the first after t0', 'failed sample'],
    ['a failed steady-state poll', byPoll, 'detected by a failed steady-state poll, the first after t0', 'failed poll'],
  ])('GIVEN a journal detected by %s THEN the figure, the Markdown and the comparison say so', (_n, model, words, short) => {
    const m = model();
    expect(renderHtmlReport([m])).toContain(
      `<div class="label">Time to detect</div><div class="value">${seconds(m.figures?.timeToDetectMs ?? null)}</div><div class="note">${words}</div>`,
    );
    expect(renderMarkdownReports([m])).toContain(`| Time to detect | ${seconds(m.figures?.timeToDetectMs ?? null)} (${words}) | |`);
    expect(renderHtmlReport([m, m])).toContain(`<small class="muted">${short}</small>`);
    expect(renderMarkdownReports([m, m])).toContain(`(${short}) |`);
  });
});
