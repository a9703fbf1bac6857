import { ActivityFailedError } from '../errors';

/**
 * Everything that reaches the remote shell passes through here: checked against a strict pattern
 * (so a hostile name such as `api; rm -rf /` or `$(x)` is refused before any connection is made)
 * and then single-quoted anyway, so that a pattern too generous still cannot break out.
 */

/** Docker object names, labels values and task families: letters, digits and `_ . -`, not starting with `-`. */
export const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;
/** A container id as `docker ps` prints it (12 hex digits, or 64 with --no-trunc). */
export const CONTAINER_ID = /^[0-9a-f]{12}(?:[0-9a-f]{52})?$/;

/** Throws `ActivityFailedError` naming the field unless `value` is a safe name. */
export function safeName(value: string, what: string): string {
  if (!SAFE_NAME.test(value)) {
    throw new ActivityFailedError(
      `refused ${what} ${JSON.stringify(value)}: only letters, digits, "_", "." and "-" may reach the remote shell`,
    );
  }
  return value;
}

/** POSIX single quoting: `it's` → `'it'\''s'`. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./=:-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** One command line from words, each quoted. */
export function commandLine(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}
