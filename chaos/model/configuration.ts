import { InvalidExperimentError } from '../errors';
import { formatPath } from './issue-path';
import { isJsonObject, isJsonValue, type JsonObject, type JsonValue } from '../../contract/json';

/** The environment configuration references read from. */
export type Environment = Readonly<Record<string, string | undefined>>;

function parseJson(raw: string): JsonValue | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    return isJsonValue(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

const ENV_REF_KEYS = new Set(['type', 'key', 'default', 'env_var_type']);

function convert(raw: string, type: JsonValue | undefined, fail: (expected: string) => never): JsonValue {
  switch (type) {
    case undefined:
    case 'str':
      return raw;
    case 'int':
      if (!/^[-+]?\d+$/.test(raw.trim())) fail(`expected an integer in the environment variable, got ${JSON.stringify(raw)}`);
      return Number.parseInt(raw, 10);
    case 'float':
      if (Number.isNaN(Number(raw)) || raw.trim() === '') fail(`expected a number in the environment variable, got ${JSON.stringify(raw)}`);
      return Number(raw);
    case 'bool':
      return ['1', 'true', 'yes', 'on'].includes(raw.trim().toLowerCase());
    case 'json':
      return parseJson(raw) ?? fail(`expected JSON in the environment variable, got ${JSON.stringify(raw)}`);
    default:
      return fail(`env_var_type: expected one of "str", "int", "float", "bool", "json", got ${JSON.stringify(type)}`);
  }
}

/** One configuration entry: a literal, or chaostoolkit's `{type: env, key, default?, env_var_type?}`. */
function resolveEntry(value: JsonValue, env: Environment, file: string, path: readonly (string | number)[]): JsonValue {
  if (!isJsonObject(value) || value.type !== 'env') return value;
  const fail = (expected: string): never => {
    throw new InvalidExperimentError(file, formatPath(path), expected);
  };
  const unknown = Object.keys(value).find((k) => !ENV_REF_KEYS.has(k));
  if (unknown !== undefined) fail(`unknown key "${unknown}" in an env reference (expected type, key, default, env_var_type)`);
  const key = value.key;
  if (typeof key !== 'string' || key.length === 0) return fail('expected an env reference with a non-empty "key"');
  const raw = env[key];
  if (raw === undefined) {
    if (value.default !== undefined) return value.default;
    return fail(`environment variable ${key} is not set and the reference has no default`);
  }
  return convert(raw, value.env_var_type, fail);
}

/** Resolves the `configuration` block; `overrides` (`--var`) replace the entries of the same name, as chaostoolkit's extra vars do. */
export function resolveConfiguration(block: JsonValue | undefined, env: Environment, file: string, overrides: JsonObject = {}): JsonObject {
  if (block === undefined) return {};
  if (!isJsonObject(block)) throw new InvalidExperimentError(file, 'configuration', 'expected a mapping of names to values');
  const resolved: JsonObject = {};
  for (const [name, value] of Object.entries(block)) {
    const override = Object.hasOwn(overrides, name) ? overrides[name] : undefined;
    resolved[name] = override !== undefined ? override : resolveEntry(value, env, file, ['configuration', name]);
  }
  return resolved;
}

/**
 * Resolves chaostoolkit's `secrets` block (`{scope: {name: value | env reference}}`), flattened.
 * `overrides` (`--var-file` secrets) replace env references of the same scope and name, as
 * chaostoolkit's extra vars do (a literal secret is kept, as there).
 */
export function resolveSecrets(
  block: JsonValue | undefined,
  env: Environment,
  file: string,
  overrides: Readonly<Record<string, JsonObject>> = {},
): JsonObject {
  if (block === undefined) return {};
  if (!isJsonObject(block)) throw new InvalidExperimentError(file, 'secrets', 'expected a mapping of scopes to secrets');
  const resolved: JsonObject = {};
  for (const [scope, entries] of Object.entries(block)) {
    if (!isJsonObject(entries))
      throw new InvalidExperimentError(file, formatPath(['secrets', scope]), 'expected a mapping of names to values');
    for (const [name, value] of Object.entries(entries)) {
      if (isJsonObject(value) && value.type !== undefined && value.type !== 'env') {
        throw new InvalidExperimentError(
          file,
          formatPath(['secrets', scope, name, 'type']),
          `expected "env" (only environment secrets are supported), got ${JSON.stringify(value.type)}`,
        );
      }
      const scoped = Object.hasOwn(overrides, scope) ? overrides[scope] : undefined;
      const override = scoped !== undefined && isJsonObject(value) && Object.hasOwn(scoped, name) ? scoped[name] : undefined;
      resolved[name] = override !== undefined && override !== null ? override : resolveEntry(value, env, file, ['secrets', scope, name]);
    }
  }
  return resolved;
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}/g;
const WHOLE_REFERENCE = /^\$\{([A-Za-z_][\w.-]*)\}$/;

/**
 * Replaces `${name}` in every string with the configuration (or secret) value. A string that is
 * exactly one reference takes the value's type (so `timeout: ${t}` stays a number); `$${` writes a
 * literal `${`. An unknown name is an error, not left in place as chaostoolkit would.
 */
export function substitute(value: JsonValue, variables: JsonObject, file: string, path: (string | number)[]): JsonValue {
  if (typeof value === 'string') {
    const whole = WHOLE_REFERENCE.exec(value);
    const lookup = (name: string): JsonValue => {
      const found = variables[name];
      if (found === undefined) {
        const defined = Object.keys(variables);
        throw new InvalidExperimentError(
          file,
          formatPath(path),
          `refers to \${${name}}, which the configuration does not define (defined: ${defined.length > 0 ? defined.join(', ') : 'none'})`,
        );
      }
      return found;
    };
    if (whole?.[1] !== undefined) return lookup(whole[1]);
    return value.replace(REFERENCE, (match, name: string | undefined) => {
      if (match === '$${') return '${';
      const found = lookup((name ?? '').trim());
      return typeof found === 'string' ? found : JSON.stringify(found);
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => substitute(item, variables, file, [...path, i]));
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value)) out[key] = substitute(item, variables, file, [...path, key]);
    return out;
  }
  return value;
}
