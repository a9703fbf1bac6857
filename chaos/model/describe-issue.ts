import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

/** One validation problem, located inside the document that was checked. */
export interface LocatedProblem {
  readonly path: readonly PropertyKey[];
  readonly expected: string;
}

/** Describes a value briefly for "got …" in messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    // Messages echo what was read, and a terminal obeys more than JSON escapes: DEL, C1 controls, line
    // and paragraph separators and bidi overrides are written as escapes too.
    return JSON.stringify(shown).replace(
      /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  }
  return String(value);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = Reflect.get(current, key);
  }
  return current;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  record: 'a mapping',
  tuple: 'a list',
  null: 'null',
};

function typeWord(expected: string): string {
  return TYPE_WORDS[expected] ?? expected;
}

function listValues(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

/** A union branch that failed only because the value had another type says nothing useful. */
function isMereTypeMismatch(issues: readonly Issue[]): boolean {
  return issues.every(
    (i) =>
      i.path.length === 0 &&
      (i.code === 'invalid_type' || (i.code === 'invalid_union' && i.errors.length > 0 && i.errors.every(isMereTypeMismatch))),
  );
}

function expectedTypes(issues: readonly Issue[][]): string[] {
  const words: string[] = [];
  for (const branch of issues) {
    for (const issue of branch) {
      if (issue.code === 'invalid_type') words.push(typeWord(issue.expected));
      else if (issue.code === 'invalid_union') words.push(...expectedTypes(issue.errors));
    }
  }
  return [...new Set(words)];
}

/** zod's own messages are replaced by ours; a schema's custom message is kept. */
function customMessage(issue: Issue): string | null {
  return /^(Invalid|Too (small|big)|Unrecognized|Expected)/.test(issue.message) ? null : issue.message;
}

function sizeWord(origin: string, n: number | bigint): string {
  if (origin === 'array') return `${n} item${n === 1 ? '' : 's'}`;
  if (origin === 'string') return `${n} character${n === 1 ? '' : 's'}`;
  return String(n);
}

/**
 * Turns a zod issue into a path and a sentence saying what is expected and what was found,
 * descending into unions to the branch the author evidently meant.
 */
export function describeIssue(issue: Issue, root: unknown, prefix: readonly PropertyKey[] = []): LocatedProblem {
  const path = [...prefix, ...issue.path];
  const got = valueAt(root, path);
  const custom = customMessage(issue);
  if (custom !== null && issue.code !== 'invalid_union' && issue.code !== 'unrecognized_keys') {
    return { path, expected: issue.code === 'custom' ? custom : `${custom}, got ${describeValue(got)}` };
  }
  switch (issue.code) {
    case 'invalid_type':
      if (got === undefined) return { path, expected: `is required (expected ${typeWord(issue.expected)})` };
      return { path, expected: `expected ${typeWord(issue.expected)}, got ${describeValue(got)}` };
    case 'invalid_union': {
      if (issue.discriminator !== undefined && issue.errors.length === 0) {
        const options = 'options' in issue && issue.options ? issue.options : [];
        return { path, expected: `expected one of ${listValues(options)}, got ${describeValue(got)}` };
      }
      const meant = issue.errors.filter((branch) => !isMereTypeMismatch(branch));
      const first = meant[0]?.[0];
      if (meant.length === 1 && first) return describeIssue(first, root, path);
      if (issue.message !== 'Invalid input') {
        return { path, expected: got === undefined ? `is required (${issue.message})` : `${issue.message}, got ${describeValue(got)}` };
      }
      return { path, expected: `expected ${expectedTypes(issue.errors).join(' or ')}, got ${describeValue(got)}` };
    }
    case 'unrecognized_keys': {
      const key = issue.keys[0] ?? '';
      return { path: [...path, key], expected: 'is not a known key here (check the spelling)' };
    }
    case 'invalid_value':
      if (got === undefined)
        return { path, expected: `is required (expected ${issue.values.length === 1 ? '' : 'one of '}${listValues(issue.values)})` };
      if (issue.values.length === 1) return { path, expected: `expected ${listValues(issue.values)}, got ${describeValue(got)}` };
      return { path, expected: `expected one of ${listValues(issue.values)}, got ${describeValue(got)}` };
    case 'too_small':
      if (issue.origin === 'string' && issue.minimum === 1) return { path, expected: 'must not be empty' };
      return {
        path,
        expected: `expected ${issue.origin === 'array' || issue.origin === 'string' ? 'at least' : issue.inclusive ? 'at least' : 'more than'} ${sizeWord(issue.origin, issue.minimum)}, got ${describeValue(got)}`,
      };
    case 'too_big':
      return {
        path,
        expected: `expected ${issue.origin === 'array' || issue.origin === 'string' || issue.inclusive ? 'at most' : 'less than'} ${sizeWord(issue.origin, issue.maximum)}, got ${describeValue(got)}`,
      };
    case 'invalid_format':
      return { path, expected: `${issue.message.replace(/^Invalid\s*/i, 'expected ')}, got ${describeValue(got)}` };
    case 'not_multiple_of':
      return { path, expected: `expected a multiple of ${issue.divisor}, got ${describeValue(got)}` };
    case 'invalid_key':
    case 'invalid_element': {
      const inner = issue.issues[0];
      return inner ? describeIssue(inner, root, path) : { path, expected: issue.message };
    }
    case 'custom':
      return { path, expected: issue.message };
  }
}
