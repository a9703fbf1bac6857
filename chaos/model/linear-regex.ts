import { RE2JS } from 're2js';
import { translatePythonRegex, UnsupportedPythonRegex } from './python-regex';

/**
 * Regular expressions from experiment files (regex tolerances, `bodyMatch`) run on RE2's engine
 * (re2js): matching takes time linear in the text, so a pattern such as `(a+)+$` cannot freeze the
 * process, and with it the signal handlers and the rollbacks. Patterns mean what Python's `re` (and so
 * chaostoolkit) makes of them: RE2's syntax is Python's but for `\Z` and `$`, translated first
 * (python-regex.ts). Backreferences and lookaround, which need backtracking, are refused when the
 * experiment loads.
 */
export interface LinearRegex {
  readonly source: string;
  /** Whether the pattern matches anywhere in `text` (Python's `re.search`). */
  test(text: string): boolean;
}

/** Why a pattern cannot be used, or null. */
export function linearRegexProblem(pattern: string): string | null {
  try {
    compile(pattern);
    return null;
  } catch (error) {
    if (error instanceof UnsupportedPythonRegex) return error.message;
    const reason = error instanceof Error ? error.message : String(error);
    return `${reason.replace(/^error parsing regexp: /, '')} (RE2 syntax: matching runs in linear time, so backreferences and lookaround are not available)`;
  }
}

function compile(pattern: string): RE2JS {
  const translated = translatePythonRegex(pattern);
  // Lookbehind only where the translation put it (Python's Unicode \b); a pattern's own is refused.
  return RE2JS.compile(translated.source, translated.lookbehind ? RE2JS.LOOKBEHINDS : 0);
}

/** Compiles a pattern already checked with {@link linearRegexProblem}. */
export function linearRegex(pattern: string): LinearRegex {
  const compiled = compile(pattern);
  return { source: pattern, test: (text) => compiled.matcher(text).find() };
}
