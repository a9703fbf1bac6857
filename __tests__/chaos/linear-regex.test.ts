import { withinTolerance } from '../../chaos/engine/tolerance';
import { httpGet } from '../../chaos/drivers/http/get';
import { linearRegex, linearRegexProblem } from '../../chaos/model/linear-regex';
import { parseExperimentDocument } from '../../chaos/model/load-experiment';
import { InvalidExperimentError } from '../../chaos/errors';
import { TEST_CATALOG } from './helpers/test-faults';

// A pattern that takes exponential time in a backtracking engine: on this input V8's RegExp would
// not return for longer than the universe has existed. RE2 answers at once, so the test ends.
const CATASTROPHIC = '(a+)+$';
const EVIL_INPUT = `${'a'.repeat(50_000)}b`;

describe('regular expressions from experiment files run in linear time', () => {
  it('a catastrophic pattern on a hostile subject returns (no match) instead of freezing the process', () => {
    expect(linearRegex(CATASTROPHIC).test(EVIL_INPUT)).toBe(false);
    expect(withinTolerance({ kind: 'regex', pattern: CATASTROPHIC }, EVIL_INPUT)).toBe(false);
    expect(linearRegex(CATASTROPHIC).test('aaaa')).toBe(true);
  });

  it.each([
    ['a backreference', '(a)\\1', /invalid escape sequence.*RE2 syntax/],
    ['lookahead', '(?=a)b', /unsupported Perl syntax.*linear time/],
    ['an unclosed group', '(', /missing closing \)/],
  ])('refuses %s with a clear reason', (_name, pattern, reason) => {
    expect(linearRegexProblem(pattern)).toMatch(reason);
  });

  it('keeps the syntax chaostoolkit patterns use: Python named groups, inline flags, \\A and \\z', () => {
    expect(linearRegex('(?P<word>rea)dy').test('ready')).toBe(true);
    expect(linearRegex('(?i)READY').test('ready')).toBe(true);
    expect(linearRegex('\\Aready\\z').test('ready')).toBe(true);
  });

  it('a tolerance pattern that needs backtracking is refused when the experiment loads, naming the place', () => {
    const doc = {
      title: 't',
      description: 'd',
      'steady-state-hypothesis': {
        title: 'h',
        probes: [
          {
            type: 'probe',
            name: 'p',
            provider: { type: 'process', path: 'true' },
            tolerance: { type: 'regex', pattern: '(a)\\1', target: 'stdout' },
          },
        ],
      },
      method: [],
    };
    expect(() => parseExperimentDocument(doc, 'x.yaml', { catalog: TEST_CATALOG, env: {} })).toThrow(InvalidExperimentError);
    expect(() => parseExperimentDocument(doc, 'x.yaml', { catalog: TEST_CATALOG, env: {} })).toThrow(
      /x\.yaml: steady-state-hypothesis\.probes\[0\]\.tolerance\.pattern: expected a valid regular expression \(invalid escape sequence/,
    );
  });

  it('so is an http:get bodyMatch', () => {
    expect(httpGet.bind({ bodyMatch: '(?=x)' }).ok).toBe(false);
    expect(httpGet.bind({ bodyMatch: CATASTROPHIC }).ok).toBe(true);
  });
});
