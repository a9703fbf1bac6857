/**
 * `npm start`'s results table reads each journal's figures per sampled path: the availability of
 * every probe (not only the lowest) and what witnessed the time to recover.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { journalFigures, type ExperimentResult } from '../../rehearsal/experiment-runs';
import { availabilityCell, resultsTable } from '../../rehearsal/results-table';
import { HAND_MADE } from '../chaos/report/hand-made-journals';

const probe = (name: string, availability: number | null) => ({
  probe: name,
  rate: 20,
  min: null,
  availability,
  total: 100,
  failed: 0,
  maxConsecutiveFailures: 0,
  longestGapMs: null,
  firstFailureMs: null,
  recoveredMs: null,
  met: true,
});

describe('npm start results', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'results-table-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('GIVEN a journal with two sampled probes THEN each probe keeps its own availability, and the witness is read', () => {
    const completed = HAND_MADE.completed;
    if (completed.recovery === null) throw new Error('the hand-made completed journal has recovery figures');
    const journal = {
      ...completed,
      recovery: {
        ...completed.recovery,
        witness: 'sampler',
        availability: 87.5,
        probes: [probe('frontend-through-proxy', 100), probe('api-through-proxy', 87.5)],
      },
    };
    const file = path.join(dir, 'two-probes.json');
    writeFileSync(file, JSON.stringify(journal));
    const figures = journalFigures(file);
    expect(figures.availability).toEqual([
      { probe: 'frontend-through-proxy', availability: 100 },
      { probe: 'api-through-proxy', availability: 87.5 },
    ]);
    expect(figures.witness).toBe('sampler');
    const result: ExperimentResult = { experiment: 'chaos/experiments/x.yaml', journal: file, code: 0, verdict: '', ...figures };
    const table = resultsTable([result], dir);
    expect(table).toContain('frontend 100 %, api 87.5 %');
    expect(table.split('\n')[0]).toMatch(/witness\s+availability/);
  });

  it('GIVEN no journal THEN the row says so and shows no figures', () => {
    const figures = journalFigures(path.join(dir, 'missing.json'));
    expect(figures).toMatchObject({ status: 'no journal', availability: [], witness: null, hasJournal: false });
    expect(availabilityCell(figures.availability)).toBe('-');
  });
});
