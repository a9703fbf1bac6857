import { readFileSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { systemErrorCode, UsageError } from '../errors';
import type { Environment } from '../model/configuration';
import type { Experiment, ExperimentVars } from '../model/types';
import { floatsUnder, pathKey, type FloatPaths } from '../model/python-values';
import { yamlFloatPaths } from '../model/yaml-floats';
import { isJsonObject, isJsonValue, type JsonObject, type JsonValue } from '../../contract/json';

/**
 * chaostoolkit's `--var` and `--var-file`, read as chaostoolkit-lib reads them (`convert_vars`,
 * `merge_vars`): `--var name[:type]=value` sets configuration only; a JSON/YAML var file holds
 * `configuration` and `secrets` (`{scope: {name: value}}`) mappings; a `.env` file sets environment
 * variables for the run. Files apply in order, each over the one before; `--var` applies last. A
 * configuration value replaces the experiment's own entry (literal or env reference) of that name; a
 * var file's secret scope takes the place of the experiment's whole scope of that name.
 */
export interface CommandVars {
  readonly vars: ExperimentVars;
  /** The environment with the `.env` files' variables over it. */
  readonly env: Environment;
  /** Where each configuration and secret name came from (`--var x`, `vars.yaml`), for errors. */
  readonly origins: ReadonlyMap<string, string>;
}

const VAR_EXAMPLE = 'e.g. --var https_url=https://app.example.com/ or --var retries:int=3';

function convert(text: string, name: string, type: string, value: string): JsonValue {
  switch (type) {
    case 'str':
      return value;
    case 'int':
      if (!/^[-+]?\d+$/.test(value.trim()))
        throw new UsageError(`--var ${JSON.stringify(text)}: expected an integer for ${name}:int, got ${JSON.stringify(value)}`);
      return Number.parseInt(value, 10);
    case 'float': {
      const number = Number(value);
      if (value.trim() === '' || !Number.isFinite(number)) {
        throw new UsageError(`--var ${JSON.stringify(text)}: expected a finite number for ${name}:float, got ${JSON.stringify(value)}`);
      }
      return number;
    }
    case 'bytes':
      throw new UsageError(
        `--var ${JSON.stringify(text)}: the bytes type is not supported (journals are JSON): use ${name}=${value} (a string)`,
      );
    default:
      throw new UsageError(
        `--var ${JSON.stringify(text)}: unknown type ${JSON.stringify(type)}: expected str, int or float (${VAR_EXAMPLE})`,
      );
  }
}

/** One `--var name[:type]=value`: the name, and the value converted to its type (`float`: a Python float). */
export function parseVar(text: string): { name: string; value: JsonValue; float: boolean } {
  const equals = text.indexOf('=');
  if (equals <= 0) throw new UsageError(`--var ${JSON.stringify(text)}: expected name[:type]=value (${VAR_EXAMPLE})`);
  const key = text.slice(0, equals);
  const value = text.slice(equals + 1);
  const colon = key.lastIndexOf(':');
  const name = colon < 0 ? key : key.slice(0, colon);
  const type = colon < 0 ? 'str' : key.slice(colon + 1);
  if (!/^[A-Za-z_][\w.-]*$/.test(name)) {
    throw new UsageError(
      `--var ${JSON.stringify(text)}: ${JSON.stringify(name)} is not a configuration name (letters, digits, _ . -; ${VAR_EXAMPLE})`,
    );
  }
  return { name, value: convert(text, name, type, value), float: type === 'float' };
}

function readVarFile(file: string, cwd: string): string {
  try {
    return readFileSync(isAbsolute(file) ? file : resolve(cwd, file), 'utf8');
  } catch (error) {
    const code = systemErrorCode(error) ?? 'unreadable';
    throw new UsageError(`--var-file ${file}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code})`}`);
  }
}

/** A `.env` file: `NAME=value` lines, `#` comments and blank lines; values taken as written. */
function parseDotenv(file: string, text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const equals = line.indexOf('=');
    const name = equals < 0 ? '' : line.slice(0, equals).trim();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new UsageError(
        `--var-file ${file}: line ${index + 1}: expected NAME=value (an environment variable), got ${JSON.stringify(line)}`,
      );
    }
    vars[name] = line.slice(equals + 1);
  });
  return vars;
}

/** A JSON or YAML var file: `{configuration?: {name: value}, secrets?: {scope: {name: value}}}`. */
function parseDataFile(file: string, text: string): { configuration: JsonObject; secrets: Record<string, JsonObject>; floats: FloatPaths } {
  const doc = parseDocument(text, { uniqueKeys: true });
  const error = doc.errors[0];
  if (error !== undefined) {
    const at = error.linePos?.[0];
    throw new UsageError(
      `--var-file ${file}: ${at ? `line ${at.line}, column ${at.col}: ` : ''}is not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(error.message.split('\n')[0] ?? error.code).replace(/ at line \d+, column \d+:?$/, '')}`,
    );
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (data === null || data === undefined) return { configuration: {}, secrets: {}, floats: new Set() };
  const shape = 'expected a mapping with "configuration" ({name: value}) and/or "secrets" ({scope: {name: value}})';
  if (!isJsonValue(data) || !isJsonObject(data)) throw new UsageError(`--var-file ${file}: ${shape}`);
  const unknown = Object.keys(data).find((key) => key !== 'configuration' && key !== 'secrets');
  if (unknown !== undefined) throw new UsageError(`--var-file ${file}: ${unknown}: unknown key; ${shape}`);
  const configuration = data.configuration ?? {};
  if (!isJsonObject(configuration)) throw new UsageError(`--var-file ${file}: configuration: expected a mapping of names to values`);
  const secretsBlock = data.secrets ?? {};
  if (!isJsonObject(secretsBlock)) throw new UsageError(`--var-file ${file}: secrets: expected a mapping of scopes to {name: value}`);
  const secrets: Record<string, JsonObject> = {};
  for (const [scope, entries] of Object.entries(secretsBlock)) {
    if (!isJsonObject(entries)) throw new UsageError(`--var-file ${file}: secrets.${scope}: expected a mapping of names to values`);
    secrets[scope] = entries;
  }
  return { configuration, secrets, floats: yamlFloatPaths(doc) };
}

/** Reads `--var-file`s (in order) and `--var`s (last): bad input is a UsageError naming the option. */
export function readCommandVars(vars: readonly string[], varFiles: readonly string[], cwd: string, env: Environment): CommandVars {
  const configuration: JsonObject = {};
  const secrets: Record<string, JsonObject> = {};
  const dotenv: Record<string, string> = {};
  const origins = new Map<string, string>();
  const floats = new Map<string, FloatPaths>();
  for (const file of varFiles) {
    const ext = extname(file).toLowerCase();
    const isDotenv = ext === '.env' || file.endsWith('/.env') || file === '.env';
    if (!isDotenv && !['.json', '.yaml', '.yml'].includes(ext)) {
      throw new UsageError(`--var-file ${file}: expected a .json, .yaml, .yml or .env file`);
    }
    const text = readVarFile(file, cwd);
    if (isDotenv) {
      Object.assign(dotenv, parseDotenv(file, text));
      continue;
    }
    const data = parseDataFile(file, text);
    for (const [name, value] of Object.entries(data.configuration)) {
      configuration[name] = value;
      origins.set(name, file);
      floats.set(name, floatsUnder(data.floats, ['configuration', name]));
    }
    for (const [scope, entries] of Object.entries(data.secrets)) {
      // merge_vars: `secret_vars.update(...)`, so a later file's scope replaces an earlier file's.
      secrets[scope] = entries;
      for (const name of Object.keys(entries)) origins.set(`${scope}.${name}`, file);
    }
  }
  for (const text of vars) {
    const { name, value, float } = parseVar(text);
    configuration[name] = value;
    floats.set(name, new Set(float ? [pathKey([])] : []));
    origins.set(name, `--var ${name}`);
  }
  return { vars: { configuration, secrets, floats }, env: { ...env, ...dotenv }, origins };
}

/**
 * chaostoolkit ignores a value for a name the experiment does not declare; a typo would then go
 * unnoticed, so a name that none of the experiments declares is refused (one that some declare is
 * used by those, as chaostoolkit does).
 */
export function refuseUndeclaredVars(commandVars: CommandVars, experiments: readonly Experiment[]): void {
  const { configuration, secrets } = commandVars.vars;
  const declared = new Set(experiments.flatMap((e) => Object.keys(e.configuration)));
  for (const name of Object.keys(configuration)) {
    if (declared.has(name)) continue;
    const names = [...declared];
    throw new UsageError(
      `${commandVars.origins.get(name) ?? name}: no experiment declares configuration "${name}" (declared: ${names.length > 0 ? names.join(', ') : 'none'}); add it to the experiment's configuration or fix the name`,
    );
  }
  // chaostoolkit puts a var file's scope in place of the experiment's (configuration.ts checks that
  // it gives every name of it); a name no experiment declares in that scope is a typo.
  const declaredSecrets = new Set<string>();
  for (const experiment of experiments) {
    const block = experiment.document.secrets;
    if (!isJsonObject(block)) continue;
    for (const [scope, entries] of Object.entries(block)) {
      if (isJsonObject(entries)) for (const name of Object.keys(entries)) declaredSecrets.add(`${scope}.${name}`);
    }
  }
  for (const [scope, entries] of Object.entries(secrets)) {
    for (const name of Object.keys(entries)) {
      const key = `${scope}.${name}`;
      if (declaredSecrets.has(key)) continue;
      const origin = commandVars.origins.get(key) ?? '--var-file';
      const names = [...declaredSecrets];
      throw new UsageError(
        `${origin}: secrets.${key}: no experiment declares this secret (declared: ${names.length > 0 ? names.join(', ') : 'none'}); fix the scope or name`,
      );
    }
  }
}
