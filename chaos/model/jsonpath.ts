import { isJsonObject, type JsonValue } from '../../contract/json';
import { JsonPathSyntaxError, TokenCursor, tokenizeJsonPath, type Token } from './jsonpath-tokens';
import { evaluateFilter, parseFilter, type FilterExpression } from './jsonpath-filter';

/**
 * JSONPath as chaostoolkit reads it (it uses the Python library jsonpath2), parsed and walked here:
 * no dependency, and no `eval` anywhere (filters are parsed into a tree and interpreted).
 *
 *   $              the value itself
 *   .name  ["name"] a member (names in brackets are double-quoted JSON strings)
 *   [2]  [-1]      an array element, negative counting from the end
 *   [1:3]  [::2]   a slice (Python's rules)
 *   [*]  .*        every element or member
 *   [0, "a"]       a union, matches in the order written
 *   ..name  ..[*]  recursive descent: the rest of the path applied to the value and every value under it
 *   [?(expr)]      a filter on the current value (jsonpath2's rule: `$.a[*][?(@.b = 1)]` keeps the
 *                  elements whose b is 1; `$.a[?(…)]` tests the list itself). See jsonpath-filter.ts.
 *
 * jsonpath2's syntax, so `$['a']` (single quotes) and `==` are refused as chaostoolkit refuses them.
 */
export type JsonPathStep =
  | { readonly kind: 'member'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'slice'; readonly start?: number; readonly end?: number; readonly step?: number }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'filter'; readonly expression: FilterExpression }
  | { readonly kind: 'union'; readonly items: readonly JsonPathStep[] }
  | { readonly kind: 'descent' };

export { JsonPathSyntaxError };

function integer(token: Token): number {
  if (token.kind !== 'number' || !/^-?\d+$/.test(token.text)) throw new JsonPathSyntaxError(`expected an integer, found "${token.text}"`);
  return Number(token.text);
}

function sliceOrIndex(cursor: TokenCursor): JsonPathStep {
  const bounds: (number | undefined)[] = [];
  let current: number | undefined = cursor.is('number') ? integer(cursor.next()) : undefined;
  if (!cursor.is(':')) {
    if (current === undefined) throw new JsonPathSyntaxError(`unexpected "${cursor.peek()?.text ?? 'end'}" in brackets`);
    return { kind: 'index', index: current };
  }
  while (cursor.is(':') && bounds.length < 2) {
    cursor.next();
    bounds.push(current);
    current = cursor.is('number') ? integer(cursor.next()) : undefined;
  }
  bounds.push(current);
  const [start, end, step] = bounds;
  if (step === 0) throw new JsonPathSyntaxError('a slice step cannot be zero');
  return {
    kind: 'slice',
    ...(start === undefined ? {} : { start }),
    ...(end === undefined ? {} : { end }),
    ...(step === undefined ? {} : { step }),
  };
}

function bracketItem(cursor: TokenCursor): JsonPathStep {
  const token = cursor.peek();
  if (token?.kind === 'string') {
    cursor.next();
    return { kind: 'member', name: token.value };
  }
  if (token?.kind === '*') {
    cursor.next();
    return { kind: 'wildcard' };
  }
  if (token?.kind === '?') {
    cursor.next();
    cursor.expect('(');
    const expression = parseFilter(cursor, parseSubscripts);
    cursor.expect(')');
    return { kind: 'filter', expression };
  }
  if (token?.kind === 'number' || token?.kind === ':') return sliceOrIndex(cursor);
  throw new JsonPathSyntaxError(
    `unsupported "${token?.text ?? 'end'}" in brackets (supported: [n], [a:b], [*], ["name"], [?(…)]; names are double-quoted)`,
  );
}

function brackets(cursor: TokenCursor): JsonPathStep {
  cursor.expect('[');
  const items = [bracketItem(cursor)];
  while (cursor.is(',')) {
    cursor.next();
    items.push(bracketItem(cursor));
  }
  cursor.expect(']');
  const [only] = items;
  return items.length === 1 && only !== undefined ? only : { kind: 'union', items };
}

function bareword(cursor: TokenCursor): JsonPathStep {
  const token = cursor.next();
  if (token.kind === '*') return { kind: 'wildcard' };
  if (token.kind === 'id') return { kind: 'member', name: token.text };
  throw new JsonPathSyntaxError(`expected a member name after "." at "${token.text}" (write odd names as ["name"])`);
}

/** The subscripts after `$` or `@`, up to what is not one (the filter parser continues from there). */
export function parseSubscripts(cursor: TokenCursor): JsonPathStep[] {
  const steps: JsonPathStep[] = [];
  for (;;) {
    if (cursor.is('..')) {
      cursor.next();
      steps.push({ kind: 'descent' }, cursor.is('[') ? brackets(cursor) : bareword(cursor));
    } else if (cursor.is('.')) {
      cursor.next();
      steps.push(bareword(cursor));
    } else if (cursor.is('[')) {
      steps.push(brackets(cursor));
    } else {
      return steps;
    }
  }
}

/** Parses a path, or throws `JsonPathSyntaxError`. */
export function parseJsonPath(path: string): JsonPathStep[] {
  const cursor = new TokenCursor(tokenizeJsonPath(path));
  if (!cursor.is('$')) throw new JsonPathSyntaxError('must start with "$"');
  cursor.next();
  const steps = parseSubscripts(cursor);
  if (!cursor.done()) throw new JsonPathSyntaxError(`unexpected "${cursor.peek()?.text ?? ''}"`);
  return steps;
}

function children(value: JsonValue): JsonValue[] {
  if (Array.isArray(value)) return value;
  return isJsonObject(value) ? Object.values(value) : [];
}

function selfAndBelow(value: JsonValue): JsonValue[] {
  return [value, ...children(value).flatMap(selfAndBelow)];
}

/** Python's slice of a list. */
function slice(list: readonly JsonValue[], step: Extract<JsonPathStep, { kind: 'slice' }>): JsonValue[] {
  const n = list.length;
  const by = step.step ?? 1;
  const clamp = (i: number, lo: number, hi: number): number => Math.min(Math.max(i < 0 ? i + n : i, lo), hi);
  const out: JsonValue[] = [];
  if (by > 0) {
    const [from, to] = [step.start === undefined ? 0 : clamp(step.start, 0, n), step.end === undefined ? n : clamp(step.end, 0, n)];
    for (let i = from; i < to; i += by) out.push(list[i] ?? null);
  } else {
    const [from, to] = [
      step.start === undefined ? n - 1 : clamp(step.start, -1, n - 1),
      step.end === undefined ? -1 : clamp(step.end, -1, n - 1),
    ];
    for (let i = from; i > to; i += by) out.push(list[i] ?? null);
  }
  return out;
}

function apply(step: JsonPathStep, value: JsonValue, root: JsonValue): JsonValue[] {
  switch (step.kind) {
    case 'member':
      return isJsonObject(value) && Object.hasOwn(value, step.name) ? [value[step.name] ?? null] : [];
    case 'index': {
      if (!Array.isArray(value)) return [];
      const at = step.index < 0 ? value.length + step.index : step.index;
      return at >= 0 && at < value.length ? [value[at] ?? null] : [];
    }
    case 'slice':
      return Array.isArray(value) ? slice(value, step) : [];
    case 'wildcard':
      return children(value);
    case 'filter':
      return evaluateFilter(step.expression, root, value, walkJsonPath) ? [value] : [];
    case 'union':
      return step.items.flatMap((item) => apply(item, value, root));
    case 'descent':
      return selfAndBelow(value);
  }
}

/** Every value the steps match from `value`, in jsonpath2's order (depth first). */
export function walkJsonPath(steps: readonly JsonPathStep[], value: JsonValue, root: JsonValue): JsonValue[] {
  let current: JsonValue[] = [value];
  for (const step of steps) current = current.flatMap((v) => apply(step, v, root));
  return current;
}

/** Every value the path matches, in document order. */
export function queryJsonPath(steps: readonly JsonPathStep[], value: JsonValue): JsonValue[] {
  return walkJsonPath(steps, value, value);
}
