import { renderHtmlReport } from '../../chaos/report/html';
import { renderMarkdownReport } from '../../chaos/report/markdown';
import { buildReportModel } from '../../chaos/report/report-model';
import { readableJournalSchema } from '../../contract/journal';
import { runDocument } from './helpers/engine-harness';
import { LocalServer } from './helpers/local-server';

let server: LocalServer;
beforeAll(async () => {
  server = await new LocalServer().start();
});
afterAll(async () => server.stop());

const doc = (url: string, parts: Record<string, unknown> = {}) => ({
  title: 'Proxy flaps',
  description: 'd',
  'steady-state-hypothesis': {
    title: 'up',
    probes: [{ type: 'probe', name: 'health', tolerance: 200, provider: { type: 'http', url: `${url}/healthz`, timeout: 1 } }],
  },
  method: [{ type: 'action', name: 'flap', provider: { type: 'http', url: `${url}/__fail?ms=300` } }],
  recovery: { within: 5, poll: 0.2, availability: { min: 50, probe: 'health', rate: 20, timeout: 0.5 } },
  'rollback-strategy': 'never',
  ...parts,
});

describe('Markdown report, from the journal alone', () => {
  it('GIVEN a passing run THEN the verdict comes first, then the figures and the tables', async () => {
    const { written } = await runDocument(doc(server.url), server.url);
    const md = renderMarkdownReport(readableJournalSchema.parse(written), 'journal.json');
    const lines = md.split('\n');
    expect(lines[0]).toBe('# Proxy flaps');
    expect(lines[2]).toMatch(
      /^\*\*Verdict: PASSED\*\*: the steady state held; recovered in \d+\.\d\d s with [\d.]+% availability, within the objective\.$/,
    );
    expect(md).toMatch(/\| Time to detect \| \d+\.\d\d s \(detected by a failed (sample|steady-state poll), the first after t0\) \| \|/);
    // The server fails for 300 ms and the sampler (20/s) sees it: the sampler is the witness.
    expect(md).toMatch(/\| Time to recover \| \d+\.\d\d s \(by the sampler\) \| <= 5 s \|/);
    expect(md).toMatch(/\| Recovered, by the sampler \/ by the confirming poll \| \d+\.\d\d s \/ \d+\.\d\d s \| \|/);
    expect(md).toMatch(/\| Longest gap without a healthy answer \| \d+\.\d\d s \| \|/);
    expect(md).toMatch(/Time to recover: the sampler saw "health" fail and answer again from \d+\.\d\d s on/);
    expect(md).toMatch(
      /\| health \| 20\/s \| [\d.]+ % \| \d+ \(\d+ failed\) \| \d+ \| \d+\.\d\d s \| \d+\.\d\d s \| \d+\.\d\d s \| >= 50 %: met \|/,
    );
    expect(md).toMatch(/\| Availability \| [\d.]+ % \(\d+ samples, \d+ failed\) \| >= 50 % \|/);
    expect(md).toMatch(/\| Max consecutive failures \| \d+/);
    for (const heading of [
      '## Figures',
      '## Steady state before',
      '## While recovering',
      '## Steady state after',
      '## Activities',
      '## Rollbacks',
    ])
      expect(md).toContain(heading);
    expect(md).toContain('| health | succeeded | yes | status 200 |');
    expect(md).toMatch(/\| 1 \| flap \| action \| succeeded \|/);
    expect(md).toContain('Skipped: rollback-strategy is "never".');
  });

  it('GIVEN two probes sampled, one of them failing THEN both reports show the figures per probe and the witness', async () => {
    const { written } = await runDocument(
      doc(server.url, {
        'steady-state-hypothesis': {
          title: 'up',
          probes: [
            { type: 'probe', name: 'health', tolerance: 200, provider: { type: 'http', url: `${server.url}/healthz`, timeout: 1 } },
            { type: 'probe', name: 'api', tolerance: 200, provider: { type: 'http', url: `${server.url}/api/status`, timeout: 1 } },
          ],
        },
        method: [{ type: 'action', name: 'flap', provider: { type: 'http', url: `${server.url}/__fail?ms=400&prefix=/api` } }],
        recovery: {
          within: 5,
          poll: 0.2,
          availability: [
            { probe: 'health', min: 100, rate: 20 },
            { probe: 'api', rate: 20, timeout: 0.5 },
          ],
        },
      }),
      server.url,
    );
    const journal = readableJournalSchema.parse(written);
    const md = renderMarkdownReport(journal, 'journal.json');
    expect(md).toMatch(/\| Availability \(lowest probe\) \| [\d.]+ % \(\d+ samples, [1-9]\d* failed\) \| per probe, below \|/);
    expect(md).toMatch(/\| health \| 20\/s \| 100 % \| \d+ \(0 failed\) \| 0 \| 0\.00 s \| n\/a \| n\/a \| >= 100 %: met \|/);
    expect(md).toMatch(
      /\| api \| 20\/s \| [\d.]+ % \| \d+ \([1-9]\d* failed\) \| [1-9]\d* \| \d+\.\d\d s \| \d+\.\d\d s \| \d+\.\d\d s \| measured \|/,
    );
    expect(md).toContain('- Availability stays at or above 100 % ("health", sampled 20 times a second).');
    expect(md).toContain('- Availability is measured ("api", sampled 20 times a second), not judged.');
    const html = renderHtmlReport([buildReportModel(journal, 'journal.json')]);
    expect(html).toContain('<th>Sampled probe</th>');
    expect(html).toMatch(/<td>api<\/td><td class="num">20\/s<\/td>/);
    expect(html).toMatch(/<p class="witness">Time to recover by the sampler: the sampler saw &quot;api&quot; fail/);
    expect(html).toContain('probes &quot;health&quot; or &quot;api&quot;');
  });

  it('GIVEN a failed run THEN the verdict names the reason', async () => {
    server.mode = 'failing';
    try {
      const { written } = await runDocument(doc(server.url), server.url);
      const md = renderMarkdownReport(readableJournalSchema.parse(written), 'j.json');
      expect(md.split('\n')[2]).toMatch(
        /^\*\*Verdict: FAILED\*\*: steady state not met before the method, so no fault was injected: probe "health" is outside its tolerance$/,
      );
      expect(md).toContain('| Objective met | not measured | |');
      expect(md).toContain('No activity ran.');
    } finally {
      server.mode = 'healthy';
    }
  });

  it('GIVEN a chaostoolkit journal (no recovery, no reasons) THEN it still renders', () => {
    const ctk = {
      experiment: { title: 'ctk' },
      start: '2024-01-01T00:00:00Z',
      end: '2024-01-01T00:00:01Z',
      duration: 1,
      status: 'completed',
      deviated: false,
      steady_states: { before: { steady_state_met: true, probes: [] }, after: null, during: [] },
      run: [{ activity: { name: 'a', type: 'action' }, status: 'succeeded', output: null, start: 's', end: 'e', duration: 0.5 }],
      rollbacks: [],
    };
    const md = renderMarkdownReport(readableJournalSchema.parse(ctk), 'ctk.json');
    expect(md).toContain('**Verdict: PASSED**: the steady state held before and after the method.');
    expect(md).toContain('No recovery objective was declared');
  });
});
