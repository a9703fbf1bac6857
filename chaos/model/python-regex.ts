/**
 * chaostoolkit compiles regex tolerances with Python's `re`; RE2 (linear-regex.ts) reads the same
 * syntax except for two anchors, translated here before compiling:
 *
 *   \Z   Python: the very end of the text            RE2 spells it \z
 *   $    Python (without the m flag): the end, or before a newline that ends the text
 *        RE2's $ is the very end only, so it becomes (?:\n?\z): a test only asks whether there is
 *        a match, so taking that final newline into the match changes nothing
 *
 * Inline flags (`(?i)`, `(?s)`, `(?m)`), `\A` and `(?P<name>…)` are RE2 syntax already. With the m
 * flag anywhere in the pattern, `$` is left alone: multi-line `$` means the same in both.
 */
export function pythonToRe2(pattern: string): string {
  const multiline = /\(\?[a-zA-Z]*m[a-zA-Z]*[:)]/.test(pattern);
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      out += !inClass && next === 'Z' ? '\\z' : c + next;
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
      // A ']' first in the class (after an optional '^') is a literal.
      if (pattern[i + 1] === '^') out += pattern[++i] ?? '';
      if (pattern[i + 1] === ']') out += pattern[++i] ?? '';
    } else if (c === '$' && !multiline) {
      out += '(?:\\n?\\z)';
    } else {
      out += c;
    }
  }
  return out;
}
