/**
 * chaostoolkit compiles regex tolerances with Python 3's `re` on str patterns; RE2 (linear-regex.ts)
 * reads nearly the same syntax. What differs is translated here before compiling:
 *
 *   \Z   Python: the very end of the text            RE2 spells it \z
 *   $    Python (without the m flag): the end, or before a newline that ends the text
 *        RE2's $ is the very end only, so it becomes (?:\n?\z): a test only asks whether there is
 *        a match, so taking that final newline into the match changes nothing
 *   \d \w \s (and \D \W \S)  Python: Unicode (str.isdecimal, str.isalnum or "_", str.isspace);
 *        RE2: ASCII. They become \p{Nd}, [\p{L}\p{N}_] and Python's whitespace list, unless (?a)
 *        (ASCII, as in Python: then only \s changes, RE2's lacks \v)
 *   \b \B  Python: a boundary between Unicode word characters and others; RE2's is ASCII and RE2
 *        has no lookahead. They become a lookbehind on the character before, when the next
 *        character's kind is known from the pattern (a literal, \w \d \s \W, $, \Z), or also
 *        consume the character after when nothing of the pattern follows; elsewhere (before a
 *        group, a class, `.`, an optional atom) they are refused, with (?a) as the way out.
 *   (?a) (?u)  Python's ASCII and (no-op) Unicode flags, which RE2 does not know: taken out.
 *
 * Inline flags (`(?i)`, `(?s)`, `(?m)`), `\A` and `(?P<name>…)` are RE2 syntax already. With the m
 * flag anywhere in the pattern, `$` is left alone: multi-line `$` means the same in both.
 */

/** A pattern Python accepts that this translation cannot give the same meaning on RE2. */
export class UnsupportedPythonRegex extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedPythonRegex';
  }
}

const UNICODE_WORD = '\\p{L}\\p{N}_';
const ASCII_WORD = 'A-Za-z0-9_';
/** Python's str.isspace: bidirectional WS, B or S, or category Zs. */
const UNICODE_SPACE = '\\t\\n\\x0B\\f\\r\\x1C-\\x20\\x85\\xA0\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}';
const ASCII_SPACE = '\\t\\n\\x0B\\f\\r ';

export interface TranslatedRegex {
  readonly source: string;
  /** Whether the translation uses lookbehind (RE2JS must be compiled with LOOKBEHINDS). */
  readonly lookbehind: boolean;
}

type Kind = 'word' | 'other' | 'end' | 'unknown';

/** Python 3 `re` (str pattern) to RE2. Throws {@link UnsupportedPythonRegex}. */
export function translatePythonRegex(pattern: string): TranslatedRegex {
  const multiline = /\(\?[a-zA-Z]*m[a-zA-Z]*[:)]/.test(pattern);
  // Global flags: (?a) anywhere in a flag group that applies to the whole pattern.
  const flagGroups = [...pattern.matchAll(/\(\?([aiLmsux]+)(\)|:|-)/g)];
  let ascii = false;
  for (const group of flagGroups) {
    if (!(group[1] ?? '').includes('a')) continue;
    if (group[2] !== ')') throw new UnsupportedPythonRegex('a scoped (?a:…) flag is not supported: put (?a) at the start of the pattern');
    ascii = true;
  }
  const word = ascii ? ASCII_WORD : UNICODE_WORD;
  const space = ascii ? ASCII_SPACE : UNICODE_SPACE;
  const wordChar = ascii ? /^[A-Za-z0-9_]$/ : /^[\p{L}\p{N}_]$/u;
  let lookbehind = false;

  /** What the pattern matches right after index `i` (the kind of the next character), if it is certain. */
  const nextKind = (i: number, depth: number): Kind => {
    const c = pattern[i];
    if (c === undefined) return 'end';
    if (c === '|') return depth === 0 ? 'end' : 'unknown';
    if (c === '$') return 'other';
    const optionalAfter = (j: number): boolean => ['?', '*', '{'].includes(pattern[j] ?? '');
    if (c === '\\') {
      const e = pattern[i + 1] ?? '';
      if (e === 'Z' || e === 'z') return 'other';
      if (optionalAfter(i + 2)) return 'unknown';
      if (e === 'w' || e === 'd') return 'word';
      if (e === 'W' || e === 's') return 'other';
      if (/^[^A-Za-z0-9]$/.test(e)) return wordChar.test(e) ? 'word' : 'other';
      return 'unknown';
    }
    if ('.[](){}*+?^'.includes(c)) return 'unknown';
    const cp = pattern.codePointAt(i) ?? 0;
    const ch = String.fromCodePoint(cp);
    if (optionalAfter(i + ch.length)) return 'unknown';
    return wordChar.test(ch) ? 'word' : 'other';
  };

  const W = `[${word}]`;
  const notW = `[^${word}]`;
  const boundary = (negated: boolean, next: Kind): string => {
    if (ascii) return negated ? '\\B' : '\\b';
    lookbehind = true;
    const prevWord = `(?<=${W})`;
    const prevOther = `(?<!${W})`;
    if (next === 'word') return negated ? prevWord : prevOther;
    if (next === 'other') return negated ? prevOther : prevWord;
    if (next === 'end') {
      // Nothing of the pattern follows: the character after may be taken into the match.
      return negated ? `(?:${prevWord}${W}|${prevOther}(?:${notW}|\\z))` : `(?:${prevWord}(?:${notW}|\\z)|${prevOther}${W})`;
    }
    throw new UnsupportedPythonRegex(
      `\\${negated ? 'B' : 'b'} before a group, a class, "." or an optional atom is not supported (Python's Unicode word boundary needs lookahead, which RE2 lacks): start the pattern with (?a) for ASCII word boundaries`,
    );
  };

  let out = '';
  let inClass = false;
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      i++;
      if (next === 'Z' && !inClass) out += '\\z';
      else if (next === 'd') out += ascii ? '\\d' : '\\p{Nd}';
      else if (next === 'D') out += ascii ? '\\D' : '\\P{Nd}';
      else if (next === 'w') out += inClass ? word : W;
      else if (next === 's') out += inClass ? space : `[${space}]`;
      else if ((next === 'W' || next === 'S') && !inClass) out += `[^${next === 'W' ? word : space}]`;
      else if ((next === 'W' || next === 'S') && !ascii) {
        throw new UnsupportedPythonRegex(`\\${next} inside [...] is not supported: use [^...] with \\${next.toLowerCase()}, or (?a)`);
      } else if (next === 'S' && inClass) {
        throw new UnsupportedPythonRegex("\\S inside [...] is not supported (RE2's \\S differs from Python's by \\v): use [^...] with \\s");
      } else if ((next === 'b' || next === 'B') && !inClass) out += boundary(next === 'B', nextKind(i + 1, depth));
      else out += c + next;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
      // A ']' first in the class (after an optional '^') is a literal.
      if (pattern[i + 1] === '^') out += pattern[++i] ?? '';
      if (pattern[i + 1] === ']') out += pattern[++i] ?? '';
    } else if (c === '(') {
      if (pattern.startsWith('(?<=', i) || pattern.startsWith('(?<!', i)) {
        throw new UnsupportedPythonRegex('lookbehind is not supported (RE2 syntax: matching runs in linear time)');
      }
      const flags = /^\(\?([aiLmsux]+)\)/.exec(pattern.slice(i));
      if (flags) {
        // RE2 knows i, m, s; a (done above) and u (Python 3's default) are taken out.
        const kept = (flags[1] ?? '').replace(/[au]/g, '');
        out += kept === '' ? '' : `(?${kept})`;
        i += (flags[0] ?? '').length - 1;
        continue;
      }
      depth++;
      out += c;
    } else if (c === ')') {
      depth--;
      out += c;
    } else if (c === '$' && !multiline) {
      out += '(?:\\n?\\z)';
    } else {
      out += c;
    }
  }
  return { source: out, lookbehind };
}

/** The RE2 source of a Python pattern (see {@link translatePythonRegex}). */
export function pythonToRe2(pattern: string): string {
  return translatePythonRegex(pattern).source;
}
