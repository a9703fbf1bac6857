import { isJsonObject, type JsonValue } from '../../contract/json';
import { JsonPathSyntaxError, type TokenCursor } from './jsonpath-tokens';
import { pyEqual, pyNumber } from './python-values';
import type { JsonPathStep } from './jsonpath';

/**
 * jsonpath2's filter expressions, parsed into a tree and interpreted (never evaluated as code):
 *
 *   @.a  $.a            a path from the current value or the root: true when it matches anything
 *   @.a = 1             comparisons = != < <= > >= between paths and JSON literals; true when some
 *                       pair of values compares so (= and != are Python's; < … only compare numbers)
 *   not x   (x)         negation, grouping
 *   x and y   x or y    jsonpath2 binds `or` tighter than `and`, as its grammar says
 */
export type FilterExpression =
  | { readonly kind: 'and' | 'or'; readonly left: FilterExpression; readonly right: FilterExpression }
  | { readonly kind: 'not'; readonly operand: FilterExpression }
  | { readonly kind: 'compare'; readonly op: Comparison; readonly left: Operand; readonly right: Operand }
  | { readonly kind: 'some'; readonly operand: Operand };

type Comparison = '=' | '!=' | '<' | '<=' | '>' | '>=';
const COMPARISONS: readonly string[] = ['=', '!=', '<', '<=', '>', '>='];

type Operand =
  | { readonly kind: 'path'; readonly from: '$' | '@'; readonly steps: readonly JsonPathStep[] }
  | { readonly kind: 'value'; readonly value: JsonValue };

type SubscriptParser = (cursor: TokenCursor) => JsonPathStep[];
type Walker = (steps: readonly JsonPathStep[], value: JsonValue, root: JsonValue) => JsonValue[];

function literal(cursor: TokenCursor): JsonValue {
  const token = cursor.next();
  switch (token.kind) {
    case 'string':
    case 'number':
      return token.value;
    case 'true':
      return true;
    case 'false':
      return false;
    case 'null':
      return null;
    case '[': {
      const items: JsonValue[] = [];
      while (!cursor.is(']')) {
        if (items.length > 0) cursor.expect(',');
        items.push(literal(cursor));
      }
      cursor.next();
      return items;
    }
    case '{': {
      const object: Record<string, JsonValue> = {};
      while (!cursor.is('}')) {
        if (Object.keys(object).length > 0) cursor.expect(',');
        const key = cursor.expect('string');
        cursor.expect(':');
        object[key.kind === 'string' ? key.value : key.text] = literal(cursor);
      }
      cursor.next();
      return object;
    }
    default:
      throw new JsonPathSyntaxError(`expected @, $ or a JSON value in the filter, found "${token.text}"`);
  }
}

function operand(cursor: TokenCursor, subscripts: SubscriptParser): Operand {
  const token = cursor.peek();
  if (token?.kind === '@' || token?.kind === '$') {
    cursor.next();
    return { kind: 'path', from: token.kind, steps: subscripts(cursor) };
  }
  return { kind: 'value', value: literal(cursor) };
}

function notExpression(cursor: TokenCursor, subscripts: SubscriptParser): FilterExpression {
  if (cursor.is('not')) {
    cursor.next();
    return { kind: 'not', operand: notExpression(cursor, subscripts) };
  }
  if (cursor.is('(')) {
    cursor.next();
    const inner = parseFilter(cursor, subscripts);
    cursor.expect(')');
    return inner;
  }
  const left = operand(cursor, subscripts);
  const op = cursor.peek()?.kind;
  if (op === undefined || !COMPARISONS.includes(op)) return { kind: 'some', operand: left };
  cursor.next();
  return { kind: 'compare', op: op as Comparison, left, right: operand(cursor, subscripts) };
}

function orExpression(cursor: TokenCursor, subscripts: SubscriptParser): FilterExpression {
  const left = notExpression(cursor, subscripts);
  if (!cursor.is('or')) return left;
  cursor.next();
  return { kind: 'or', left, right: orExpression(cursor, subscripts) };
}

/** Parses the expression inside `[?( … )]`; `subscripts` parses the steps after `@` or `$`. */
export function parseFilter(cursor: TokenCursor, subscripts: SubscriptParser): FilterExpression {
  const left = orExpression(cursor, subscripts);
  if (!cursor.is('and')) return left;
  cursor.next();
  return { kind: 'and', left, right: parseFilter(cursor, subscripts) };
}

function compare(op: Comparison, a: JsonValue, b: JsonValue): boolean {
  if (op === '=') return pyEqual(a, b);
  if (op === '!=') return !pyEqual(a, b);
  const [x, y] = [pyNumber(a), pyNumber(b)];
  if (x === null || y === null) return false;
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
}

function truthy(value: JsonValue): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (isJsonObject(value)) return Object.keys(value).length > 0;
  return value !== null && value !== false && value !== 0 && value !== '';
}

/** Whether the filter holds for `current`; `walk` follows an operand's path. */
export function evaluateFilter(expression: FilterExpression, root: JsonValue, current: JsonValue, walk: Walker): boolean {
  const values = (o: Operand): JsonValue[] => (o.kind === 'value' ? [o.value] : walk(o.steps, o.from === '$' ? root : current, root));
  switch (expression.kind) {
    case 'and':
      return evaluateFilter(expression.left, root, current, walk) && evaluateFilter(expression.right, root, current, walk);
    case 'or':
      return evaluateFilter(expression.left, root, current, walk) || evaluateFilter(expression.right, root, current, walk);
    case 'not':
      return !evaluateFilter(expression.operand, root, current, walk);
    case 'some':
      return expression.operand.kind === 'value' ? truthy(expression.operand.value) : values(expression.operand).length > 0;
    case 'compare': {
      const right = values(expression.right);
      return values(expression.left).some((l) => right.some((r) => compare(expression.op, l, r)));
    }
  }
}
