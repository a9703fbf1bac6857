import { isJsonObject, type JsonValue } from '../../contract/json';

/**
 * A small JSONPath subset, enough for tolerances on probe output:
 *
 *   $            the value itself
 *   .name        a member                 ['name'] / ["name"] also work (for odd names)
 *   [2]          an array element         negative indexes count from the end: [-1]
 *   [*]  .*      every element or member
 *
 * Not supported: recursive descent (`..`), filters (`?()`), slices (`[1:3]`), unions (`[0,1]`).
 */
export type JsonPathStep =
  { readonly kind: 'member'; readonly name: string } | { readonly kind: 'index'; readonly index: number } | { readonly kind: 'wildcard' };

/** Thrown by `parseJsonPath` with the reason; callers turn it into a located error. */
export class JsonPathSyntaxError extends Error {}

const NAME = /^[A-Za-z_$][\w$-]*/;

function bracket(rest: string): { step: JsonPathStep; length: number } {
  const quoted = /^\[\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\]/.exec(rest);
  if (quoted) {
    const name = (quoted[1] ?? quoted[2] ?? '').replace(/\\(.)/g, '$1');
    return { step: { kind: 'member', name }, length: quoted[0].length };
  }
  const index = /^\[\s*(-?\d+)\s*\]/.exec(rest);
  if (index) return { step: { kind: 'index', index: Number(index[1]) }, length: index[0].length };
  const star = /^\[\s*\*\s*\]/.exec(rest);
  if (star) return { step: { kind: 'wildcard' }, length: star[0].length };
  throw new JsonPathSyntaxError(`unsupported bracket "${rest.slice(0, 12)}" (supported: [n], [*], ['name'])`);
}

/** Parses a path of the subset above, or throws `JsonPathSyntaxError`. */
export function parseJsonPath(path: string): JsonPathStep[] {
  const text = path.trim();
  if (!text.startsWith('$')) throw new JsonPathSyntaxError('must start with "$"');
  const steps: JsonPathStep[] = [];
  let rest = text.slice(1);
  while (rest.length > 0) {
    if (rest.startsWith('..')) throw new JsonPathSyntaxError('recursive descent ".." is not supported');
    if (rest.startsWith('.*')) {
      steps.push({ kind: 'wildcard' });
      rest = rest.slice(2);
    } else if (rest.startsWith('.')) {
      const name = NAME.exec(rest.slice(1));
      if (!name) throw new JsonPathSyntaxError(`expected a member name after "." at "${rest.slice(0, 12)}"`);
      steps.push({ kind: 'member', name: name[0] });
      rest = rest.slice(1 + name[0].length);
    } else if (rest.startsWith('[')) {
      const { step, length } = bracket(rest);
      steps.push(step);
      rest = rest.slice(length);
    } else {
      throw new JsonPathSyntaxError(`unexpected "${rest.slice(0, 12)}"`);
    }
  }
  return steps;
}

function apply(step: JsonPathStep, value: JsonValue): JsonValue[] {
  switch (step.kind) {
    case 'member':
      return isJsonObject(value) && Object.hasOwn(value, step.name) ? [value[step.name] ?? null] : [];
    case 'index': {
      if (!Array.isArray(value)) return [];
      const at = step.index < 0 ? value.length + step.index : step.index;
      return at >= 0 && at < value.length ? [value[at] ?? null] : [];
    }
    case 'wildcard':
      if (Array.isArray(value)) return value;
      return isJsonObject(value) ? Object.values(value) : [];
  }
}

/** Every value the path matches, in document order. */
export function queryJsonPath(steps: readonly JsonPathStep[], value: JsonValue): JsonValue[] {
  let current: JsonValue[] = [value];
  for (const step of steps) current = current.flatMap((v) => apply(step, v));
  return current;
}
