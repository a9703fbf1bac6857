import { linearRegex, linearRegexProblem } from '../../chaos/model/linear-regex';
import { translatePythonRegex } from '../../chaos/model/python-regex';

// Python 3 `re` on str patterns: each expectation is what `re.search(pattern, text) is not None` gives.
describe("python-regex: Python 3's Unicode classes on RE2", () => {
  it.each<[string, string, boolean]>([
    ['\\d+', '١٢٣', true],
    ['^\\d$', '²', false], // superscript two is not decimal (Nd), though str.isdigit
    ['^\\w$', '²', true], // ... but it is alphanumeric (No)
    ['^\\w+$', 'naïve_日本', true],
    ['^\\W$', '-', true],
    ['^\\s$', '\u3000', true],
    ['^\\s$', '\u200b', false], // zero-width space is not whitespace
    ['^\\s$', '\v', true],
    ['^\\S+$', 'a\u00a0', false],
    ['^[\\w-]+$', 'über-cool', true],
    ['^[^\\d]$', '٣', false],
    ['\\bword\\b', 'a word.', true],
    ['\\bword\\b', 'swordé', false],
    ['\\bé', ' é', true],
    ['\\bé', 'aé', false],
    ['é\\b', 'é!', true],
    ['é\\B', 'éa', true],
    ['\\Bé', 'aé', true],
    ['\\d+\\b\\s', '12 apples', true],
    ['ok\\b$', 'ok\n', true],
    ['(?a)^\\w$', 'é', false],
    ['(?a)^\\s$', '\v', true],
    ['(?a)\\bcaf\\b', 'café', true],
    ['(?ai)^CAFE$', 'cafe', true],
    ['(?u)^\\w$', 'é', true],
    ['yes\\b|no', 'yes!', true],
  ])('%j on %j: %s', (pattern, text, python) => {
    expect(linearRegexProblem(pattern)).toBeNull();
    expect(linearRegex(pattern).test(text)).toBe(python);
  });

  it.each<[string, RegExp]>([
    ['\\b(foo)', /^\\b before a group, a class, "\." or an optional atom is not supported .* start the pattern with \(\?a\)/],
    ['a\\b.', /not supported/],
    ['\\ba?', /not supported/],
    ['[\\W]', /^\\W inside \[\.\.\.\] is not supported/],
    ['(?a:x)', /^a scoped \(\?a:…\) flag is not supported/],
    ['(?<=a)b', /^lookbehind is not supported/],
  ])('refuses %j, saying what to use', (pattern, message) => {
    expect(linearRegexProblem(pattern)).toMatch(message);
  });

  it('leaves ASCII-mode word boundaries to RE2, and uses lookbehind only for Unicode ones', () => {
    expect(translatePythonRegex('(?a)\\bx\\b')).toEqual({ source: '\\bx\\b', lookbehind: false });
    expect(translatePythonRegex('\\bx').lookbehind).toBe(true);
    expect(translatePythonRegex('x$').source).toBe('x(?:\\n?\\z)');
  });
});
