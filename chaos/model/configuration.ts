import { InvalidExperimentError } from '../errors';
import { formatPath } from './issue-path';
import { floatsUnder, NO_FLOATS, pathKey, pyFloatText, pyIntText, pyStr, type FloatPaths } from './python-values';
import { isJsonObject, isJsonValue, type JsonObject, type JsonValue } from '../../contract/json';

/** The environment configuration references read from. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Resolved values by name, with which of their numbers are Python floats (for `str()`). */
export interface Resolved {
  readonly values: JsonObject;
  readonly floats: ReadonlyMap<string, FloatPaths>;
}

/** What `${name}` may refer to: the configuration first, then each secret scope in order (chaoslib's ChainMap). */
export type Variables = ReadonlyMap<string, { readonly value: JsonValue; readonly floats: FloatPaths }>;

type Path = readonly (string | number)[];
const FLOAT: FloatPaths = new Set([pathKey([])]);

function parseJson(raw: string): JsonValue | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    return isJsonValue(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

const ENV_REF_KEYS = new Set(['type', 'key', 'default', 'env_var_type']);

/**
 * chaoslib's `convert_to_type(env_var_type, value)`, applied to the variable's text and to the
 * default alike: `int()`, `float()` as Python reads them (`" 42 "`, `"1_000"`, `"1e3"`), anything
 * else as is for `str`. `bool` and `json` are ours (chaostoolkit refuses them).
 */
function convert(
  raw: JsonValue,
  type: JsonValue | undefined,
  what: string,
  fail: (expected: string) => never,
): { value: JsonValue; floats: FloatPaths } {
  const got = `${what}, got ${JSON.stringify(raw)}`;
  switch (type) {
    case undefined:
    case 'str':
      return { value: raw, floats: NO_FLOATS };
    case 'int': {
      const n =
        typeof raw === 'string'
          ? pyIntText(raw)
          : typeof raw === 'boolean'
            ? Number(raw)
            : typeof raw === 'number'
              ? Math.trunc(raw)
              : null;
      if (n === null || !Number.isSafeInteger(n)) return fail(`expected an integer (env_var_type int) in ${got}`);
      return { value: n, floats: NO_FLOATS };
    }
    case 'float': {
      const n = typeof raw === 'string' ? pyFloatText(raw) : typeof raw === 'boolean' ? Number(raw) : typeof raw === 'number' ? raw : null;
      if (n === null || !Number.isFinite(n)) return fail(`expected a finite number (env_var_type float; journals are JSON) in ${got}`);
      return { value: n, floats: FLOAT };
    }
    case 'bool':
      if (typeof raw === 'boolean') return { value: raw, floats: NO_FLOATS };
      if (typeof raw !== 'string') return fail(`expected true or false (env_var_type bool) in ${got}`);
      return { value: ['1', 'true', 'yes', 'on'].includes(raw.trim().toLowerCase()), floats: NO_FLOATS };
    case 'json': {
      if (typeof raw !== 'string') return { value: raw, floats: NO_FLOATS };
      const parsed = parseJson(raw);
      return parsed === undefined ? fail(`expected JSON (env_var_type json) in ${got}`) : { value: parsed, floats: NO_FLOATS };
    }
    case 'bytes':
      return fail('env_var_type bytes is not supported (journals are JSON, and bytes are not): use str');
    default:
      return fail(`env_var_type: expected one of "str", "int", "float", "bool", "json", got ${JSON.stringify(type)}`);
  }
}

function failer(file: string, path: Path): (expected: string) => never {
  return (expected: string): never => {
    throw new InvalidExperimentError(file, formatPath(path), expected);
  };
}

/** One configuration entry: a literal, or chaostoolkit's `{type: env, key, default?, env_var_type?}`. */
function resolveEntry(
  value: JsonValue,
  env: Environment,
  file: string,
  path: Path,
  floats: FloatPaths,
): { value: JsonValue; floats: FloatPaths } {
  if (!isJsonObject(value) || value.type !== 'env') return { value, floats };
  const fail = failer(file, path);
  const unknown = Object.keys(value).find((k) => !ENV_REF_KEYS.has(k));
  if (unknown !== undefined) fail(`unknown key "${unknown}" in an env reference (expected type, key, default, env_var_type)`);
  const key = value.key;
  if (typeof key !== 'string' || key.length === 0) return fail('expected an env reference with a non-empty "key"');
  const raw = env[key];
  // chaoslib: a null default is no default.
  if (raw === undefined && (value.default === undefined || value.default === null)) {
    return fail(`environment variable ${key} is not set and the reference has no default`);
  }
  if (raw === undefined) {
    const defaultFloats = floatsUnder(floats, ['default']);
    if (value.env_var_type === undefined || value.env_var_type === 'str') return { value: value.default ?? null, floats: defaultFloats };
    return convert(value.default ?? null, value.env_var_type, 'the default', failer(file, [...path, 'default']));
  }
  return convert(raw, value.env_var_type, `the environment variable ${key}`, fail);
}

const DYNAMIC_HINT = (name: string): string =>
  `configuration computed by a probe is not supported; give the value with --var ${name}=<value> (or --var-file), or read it from the environment: {type: env, key: …}`;

/**
 * Resolves the `configuration` block; `overrides` (`--var`) replace the entries of the same name,
 * as chaostoolkit's extra vars do. `floats`: the document's float paths (from the file's text).
 */
export function resolveConfiguration(
  block: JsonValue | undefined,
  env: Environment,
  file: string,
  overrides: JsonObject = {},
  floats: FloatPaths = NO_FLOATS,
  overrideFloats: ReadonlyMap<string, FloatPaths> = new Map(),
): Resolved {
  if (block === undefined) return { values: {}, floats: new Map() };
  if (!isJsonObject(block)) throw new InvalidExperimentError(file, 'configuration', 'expected a mapping of names to values');
  const values: JsonObject = {};
  const valueFloats = new Map<string, FloatPaths>();
  for (const [name, value] of Object.entries(block)) {
    const override = Object.hasOwn(overrides, name) ? overrides[name] : undefined;
    if (override !== undefined) {
      values[name] = override;
      valueFloats.set(name, overrideFloats.get(name) ?? NO_FLOATS);
      continue;
    }
    // chaoslib's load_dynamic_configuration runs such a probe when the run starts.
    if (isJsonObject(value) && value.type === 'probe')
      throw new InvalidExperimentError(file, formatPath(['configuration', name]), DYNAMIC_HINT(name));
    const resolved = resolveEntry(value, env, file, ['configuration', name], floatsUnder(floats, ['configuration', name]));
    values[name] = resolved.value;
    valueFloats.set(name, resolved.floats);
  }
  return { values, floats: valueFloats };
}

/**
 * One secret (chaoslib 1.x `load_secrets`, recursive): `{type: env, key}` is the variable's text
 * (no default, no conversion: chaostoolkit reads neither), `{type: vault}` is refused, any other
 * mapping is a nested secret resolved the same way, anything else is kept.
 */
function resolveSecret(value: JsonValue, env: Environment, file: string, path: Path): JsonValue {
  if (!isJsonObject(value)) return value;
  const fail = failer(file, path);
  if (value.type === 'vault') {
    throw new InvalidExperimentError(
      file,
      formatPath([...path, 'type']),
      'secrets from vault are not supported: use an environment reference {type: env, key: …}, or give the secret with --var-file',
    );
  }
  if (value.type === 'env') {
    for (const key of ['default', 'env_var_type']) {
      if (value[key] !== undefined) {
        throw new InvalidExperimentError(
          file,
          formatPath([...path, key]),
          `${key} is not supported in a secret (chaostoolkit ignores it there): set the environment variable, or move the value to the configuration`,
        );
      }
    }
    const unknown = Object.keys(value).find((k) => k !== 'type' && k !== 'key');
    if (unknown !== undefined) fail(`unknown key "${unknown}" in an env reference (expected type, key)`);
    const key = value.key;
    if (typeof key !== 'string' || key.length === 0) return fail('expected an env reference with a non-empty "key"');
    const raw = env[key];
    return raw ?? fail(`environment variable ${key} is not set (a secret has no default)`);
  }
  const out: JsonObject = {};
  for (const [name, item] of Object.entries(value)) out[name] = resolveSecret(item, env, file, [...path, name]);
  return out;
}

/** The resolved `secrets` block, by scope. */
export interface ResolvedSecrets {
  readonly scopes: Readonly<Record<string, Resolved>>;
  /** Every non-empty string of every secret, nested ones included, for redaction. */
  readonly texts: readonly string[];
}

function strings(value: JsonValue, into: string[]): void {
  if (typeof value === 'string') {
    if (value.length > 0) into.push(value);
  } else if (Array.isArray(value)) value.forEach((item) => strings(item, into));
  else if (isJsonObject(value)) Object.values(value).forEach((item) => strings(item, into));
}

/**
 * Resolves chaostoolkit's `secrets` block (`{scope: {name: value | env reference | mapping}}`).
 * `overrides` (`--var-file` secrets, `{scope: {name: value}}`) take the place of the whole scope,
 * as chaoslib's `load_secrets` puts `extra_vars[scope]` in place of it (values as given, literals
 * too); a replacement that leaves out a name of the scope is refused rather than dropping it.
 */
export function resolveSecrets(
  block: JsonValue | undefined,
  env: Environment,
  file: string,
  overrides: Readonly<Record<string, JsonObject>> = {},
  floats: FloatPaths = NO_FLOATS,
): ResolvedSecrets {
  if (block === undefined) return { scopes: {}, texts: [] };
  if (!isJsonObject(block)) throw new InvalidExperimentError(file, 'secrets', 'expected a mapping of scopes to secrets');
  const scopes: Record<string, Resolved> = {};
  const texts: string[] = [];
  for (const [scope, entries] of Object.entries(block)) {
    if (!isJsonObject(entries) || entries.type === 'env' || entries.type === 'vault')
      throw new InvalidExperimentError(file, formatPath(['secrets', scope]), 'expected a mapping of names to values (a scope of secrets)');
    const replacement = Object.hasOwn(overrides, scope) ? overrides[scope] : undefined;
    if (replacement !== undefined) {
      const missing = Object.keys(entries).filter((name) => !Object.hasOwn(replacement, name));
      if (missing.length > 0) {
        throw new InvalidExperimentError(
          file,
          formatPath(['secrets', scope]),
          `the --var-file secrets.${scope} takes the place of this whole scope (as chaostoolkit's load_secrets does) but leaves out ${missing.join(', ')}: give ${missing.length > 1 ? 'them' : 'it'} in the var file too`,
        );
      }
      strings(replacement, texts);
      scopes[scope] = { values: { ...replacement }, floats: new Map() };
      continue;
    }
    const values: JsonObject = {};
    const valueFloats = new Map<string, FloatPaths>();
    for (const [name, value] of Object.entries(entries)) {
      values[name] = resolveSecret(value, env, file, ['secrets', scope, name]);
      valueFloats.set(name, floatsUnder(floats, ['secrets', scope, name]));
      strings(values[name] ?? null, texts);
    }
    scopes[scope] = { values, floats: valueFloats };
  }
  return { scopes, texts };
}

/** chaoslib's `ChainMap(configuration, *secrets.values())`: the configuration first, then each scope in order; the first found wins. */
export function chainVariables(configuration: Resolved, secrets: ResolvedSecrets): Variables {
  const variables = new Map<string, { value: JsonValue; floats: FloatPaths }>();
  for (const resolved of [configuration, ...Object.values(secrets.scopes)]) {
    for (const [name, value] of Object.entries(resolved.values)) {
      if (!variables.has(name)) variables.set(name, { value, floats: resolved.floats.get(name) ?? NO_FLOATS });
    }
  }
  return variables;
}

// Python's string.Template: `$$`, `$name`, `${name}` (names: ASCII letters, digits, _; not a digit first).
const TEMPLATE = /\$(?:(\$)|([_A-Za-z][_A-Za-z0-9]*)|\{([^}]*)\})/g;
const IDENTIFIER = /^[_A-Za-z][_A-Za-z0-9]*$/;
const WHOLE_REFERENCE = /^\$(?:\{([_A-Za-z][_A-Za-z0-9]*)\}|([_A-Za-z][_A-Za-z0-9]*))$/;

/**
 * Replaces references in every string as chaoslib's `substitute` does (Python's `string.Template`,
 * through its TypedTemplate): a string that is exactly one reference takes the value's type (so
 * `timeout: ${t}` stays a number); inside a longer string the value is written as Python's `str()`
 * writes it (`True`, `None`, `1.0`, `['a', 1]`); `$$` writes `$`; a bare `$name` is replaced when
 * the name is defined and left as written otherwise, as Template's safe_substitute leaves it. A
 * `${…}` that names nothing defined, or is not a name at all (`${a-b}`), is an error rather than
 * left in place as chaostoolkit would.
 */
export function substitute(value: JsonValue, variables: Variables, file: string, path: (string | number)[]): JsonValue {
  if (typeof value === 'string') {
    const lookup = (name: string): { value: JsonValue; floats: FloatPaths } => {
      const found = variables.get(name);
      if (found !== undefined) return found;
      const defined = [...variables.keys()];
      const problem = IDENTIFIER.test(name)
        ? 'which the configuration does not define'
        : 'which is not a name chaostoolkit substitutes (letters, digits and _, not a digit first); write $${ for a literal ${';
      throw new InvalidExperimentError(
        file,
        formatPath(path),
        `refers to \${${name}}, ${problem} (defined: ${defined.length > 0 ? defined.join(', ') : 'none'})`,
      );
    };
    const whole = WHOLE_REFERENCE.exec(value);
    if (whole?.[1] !== undefined) return lookup(whole[1]).value;
    if (whole?.[2] !== undefined) return variables.get(whole[2])?.value ?? value;
    return value.replace(TEMPLATE, (match, escaped: string | undefined, named: string | undefined, braced: string | undefined) => {
      if (escaped !== undefined) return '$';
      const found = named !== undefined ? variables.get(named) : lookup(braced ?? '');
      return found === undefined ? match : pyStr(found.value, found.floats);
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
