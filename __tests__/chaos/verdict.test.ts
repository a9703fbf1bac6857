import { verdictOf } from '../../chaos/commands/json-output';
import { verdictKind } from '../../chaos/journal/verdict';
import type { Journal } from '../../contract/journal';

describe('one verdict for the report and --json', () => {
  const cases: [string, boolean, string][] = [
    ['completed', false, 'passed'],
    ['completed', true, 'deviated'],
    ['failed', true, 'deviated'],
    ['failed', false, 'failed'],
    ['aborted', false, 'aborted'],
    ['interrupted', false, 'interrupted'],
  ];
  test.each(cases)('status %s, deviated %s: %s in both', (status, deviated, expected) => {
    expect(verdictKind({ status, deviated })).toBe(expected);
    expect(verdictOf({ status, deviated } as unknown as Journal)).toBe(expected);
  });

  test('a status this version does not know: "other" in the report, the status itself in --json', () => {
    expect(verdictKind({ status: 'running', deviated: false })).toBe('other');
    expect(verdictOf({ status: 'running', deviated: false } as unknown as Journal)).toBe('running');
  });
});
