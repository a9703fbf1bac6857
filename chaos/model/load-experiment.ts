import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import { NO_FLOATS, pathKey, pyFloatRepr, type FloatPaths } from './python-values';
import { yamlFloatPaths } from './yaml-floats';
import type { FaultCatalog } from '../faults/define-fault';
import { InvalidExperimentError, systemErrorCode } from '../errors';
import { normalizeChaostoolkit } from './chaostoolkit-compat';
import { chainVariables, resolveConfiguration, resolveSecrets, substitute, type Environment } from './configuration';
import { describeIssue } from './describe-issue';
import { availabilityList, experimentSchema, type ParsedExperiment } from './experiment-schema';
import { formatPath } from './issue-path';
import { refuseMisusedFaults } from './fault-kinds';
import { findNotJson, isJsonObject, isJsonValue, type JsonObject, type JsonValue } from '../../contract/json';
import type { Experiment, ExperimentVars, RollbackStrategy } from './types';
import { allActivities } from '../engine/located-activities';
import { resolveExecutable } from '../engine/providers/process';

/** What loading needs besides the text. */
export interface LoadOptions {
  readonly catalog: FaultCatalog;
  readonly env: Environment;
  /** `--var`/`--var-file` values, over the experiment's configuration and secrets. */
  readonly vars?: ExperimentVars;
  /** Where a relative process `path` is looked up (default: the process's working directory). */
  readonly cwd?: string;
}

/** Parses YAML or JSON (YAML 1.2 is a superset) into plain JSON, with line and column on errors, and which numbers are floats. */
function parseText(text: string, file: string): { document: JsonObject; floats: FloatPaths } {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const error = doc.errors[0];
  if (error !== undefined) {
    const at = error.linePos?.[0];
    const where = at ? `line ${at.line}, column ${at.col}` : '';
    const reason = (error.message.split('\n')[0] ?? error.code).replace(/ at line \d+, column \d+:?$/, '');
    throw new InvalidExperimentError(file, where, `is not valid YAML/JSON: ${reason}`);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new InvalidExperimentError(file, '', `cannot be read as data: ${e instanceof Error ? e.message : String(e)}`);
  }
  const notJson = findNotJson(raw);
  if (notJson !== null) throw new InvalidExperimentError(file, formatPath(notJson.path), `expected plain JSON data, got ${notJson.found}`);
  if (!isJsonValue(raw) || !isJsonObject(raw)) {
    throw new InvalidExperimentError(
      file,
      '',
      'expected an experiment: a mapping with title, method and optionally steady-state-hypothesis, rollbacks, recovery',
    );
  }
  return { document: raw, floats: yamlFloatPaths(doc) };
}

/** The value at `path` inside `document` (array indexes, object keys), or undefined where there is none. */
function valueAt(document: JsonValue, path: readonly PropertyKey[]): JsonValue | undefined {
  let value: JsonValue | undefined = document;
  for (const key of path) value = Array.isArray(value) ? value[Number(key)] : isJsonObject(value) ? value[String(key)] : undefined;
  return value;
}

/**
 * chaostoolkit's ensure_hypothesis_tolerance_is_valid refuses a float tolerance, `200.0` as much as
 * `0.5`; JSON cannot tell `200.0` from `200`, the file's text can.
 */
function refuseFloatTolerances(document: JsonObject, floats: FloatPaths, file: string): void {
  const hypothesis = document['steady-state-hypothesis'];
  const places: (string | number)[][] = [];
  if (isJsonObject(hypothesis) && Array.isArray(hypothesis.probes)) {
    hypothesis.probes.forEach((_, i) => places.push(['steady-state-hypothesis', 'probes', i, 'tolerance']));
  }
  for (const list of ['method', 'rollbacks']) {
    const items = document[list];
    if (Array.isArray(items)) items.forEach((_, i) => places.push([list, i, 'tolerance']));
  }
  const found = places.find((path) => floats.has(pathKey(path)));
  if (found === undefined) return;
  const written = valueAt(document, found);
  if (typeof written !== 'number' || !Number.isInteger(written)) return; // other floats: the schema's refusal
  throw new InvalidExperimentError(
    file,
    formatPath(found),
    `expected an integer, got the float ${pyFloatRepr(written)} (chaostoolkit refuses float tolerances): write ${written}, or use {type: range, range: [lo, hi]}`,
  );
}

function rollbackStrategy(parsed: ParsedExperiment): RollbackStrategy {
  const declared = parsed['rollback-strategy'];
  if (declared !== undefined) return declared;
  // Naming none: chaostoolkit's "default" (faults are undone whatever the strategy: engine/runner.ts).
  return parsed.runtime?.rollbacks?.strategy ?? 'default';
}

type Substitute = (value: JsonValue, path: (string | number)[]) => JsonValue;

/** Our own top-level sections (chaostoolkit has none of them): every string in them is substituted. */
const OWN_SECTIONS = new Set(['recovery', 'activity-timeout']);

/**
 * `${name}` is replaced where chaoslib 1.x replaces it, and nowhere else (a `${x}` in a title stays
 * as written, as there): an activity's `pauses`, its provider's `arguments` (every provider type),
 * an http provider's `url` and `headers` (and `body`, ours), a regex tolerance's `pattern`, a
 * jsonpath tolerance's `path`, a probe tolerance as an activity; plus our own sections and the
 * `stop-conditions` probes (activities like the others).
 */
function substituteWhereChaostoolkitDoes(document: JsonObject, sub: Substitute): JsonObject {
  const out: JsonObject = { ...document };
  const activities = (list: JsonValue | undefined, path: (string | number)[]): JsonValue | undefined =>
    Array.isArray(list) ? list.map((a, i) => substituteActivity(a, [...path, i], sub)) : list;
  for (const key of Object.keys(document)) {
    const value = document[key];
    if (value === undefined) continue;
    if (key === 'method' || key === 'rollbacks') out[key] = activities(value, [key]) ?? value;
    else if (key === 'steady-state-hypothesis' && isJsonObject(value))
      out[key] = { ...value, ...(value.probes === undefined ? {} : { probes: activities(value.probes, [key, 'probes']) ?? null }) };
    else if (key === 'stop-conditions' && isJsonObject(value)) {
      const conditions: JsonObject = { ...value };
      for (const [k, v] of Object.entries(value)) if (Array.isArray(v)) conditions[k] = activities(v, [key, k]) ?? v;
      out[key] = conditions;
    } else if (OWN_SECTIONS.has(key)) out[key] = sub(value, [key]);
  }
  return out;
}

/** Said when the refused value is a `${…}` left as written because chaostoolkit does not substitute that field. */
function notSubstitutedHint(document: JsonValue, path: readonly PropertyKey[]): string {
  const value = valueAt(document, path);
  if (typeof value !== 'string' || !/\$(\{|[A-Za-z_])/.test(value)) return '';
  return ' (chaostoolkit substitutes ${…} only in pauses, provider arguments, an http url and headers, a regex pattern and a jsonpath path: write the value here)';
}

function substituteActivity(activity: JsonValue, path: (string | number)[], sub: Substitute): JsonValue {
  if (!isJsonObject(activity)) return activity;
  const out: JsonObject = { ...activity };
  if (activity.pauses !== undefined) out.pauses = sub(activity.pauses, [...path, 'pauses']);
  const provider = activity.provider;
  if (isJsonObject(provider)) {
    const p: JsonObject = { ...provider };
    const fields = provider.type === 'http' ? ['arguments', 'url', 'headers', 'body'] : ['arguments'];
    for (const field of fields) {
      const v = provider[field];
      if (v !== undefined) p[field] = sub(v, [...path, 'provider', field]);
    }
    out.provider = p;
  }
  const tolerance = activity.tolerance;
  if (isJsonObject(tolerance)) {
    const field = tolerance.type === 'regex' ? 'pattern' : tolerance.type === 'jsonpath' ? 'path' : null;
    if (tolerance.type === 'probe') out.tolerance = substituteActivity(tolerance, [...path, 'tolerance'], sub);
    else if (field !== null && tolerance[field] !== undefined)
      out.tolerance = { ...tolerance, [field]: sub(tolerance[field], [...path, 'tolerance', field]) };
  }
  return out;
}

/** Building the schema walks every fault module; do it once per catalog. */
const schemas = new WeakMap<FaultCatalog, ReturnType<typeof experimentSchema>>();

function schemaFor(catalog: FaultCatalog): ReturnType<typeof experimentSchema> {
  const cached = schemas.get(catalog);
  if (cached !== undefined) return cached;
  const schema = experimentSchema(catalog);
  schemas.set(catalog, schema);
  return schema;
}

/** Validates an experiment document (already parsed) into the model. */
export function parseExperimentDocument(
  document: JsonObject,
  file: string,
  options: LoadOptions,
  floats: FloatPaths = NO_FLOATS,
): Experiment {
  const normalized = normalizeChaostoolkit(document, file);
  refuseFloatTolerances(document, floats, file);
  const vars = options.vars;
  const configuration = resolveConfiguration(normalized.configuration, options.env, file, vars?.configuration, floats, vars?.floats);
  const secrets = resolveSecrets(normalized.secrets, options.env, file, vars?.secrets, floats);
  const variables = chainVariables(configuration, secrets);
  const substituted = substituteWhereChaostoolkitDoes(normalized, (value, path) => substitute(value, variables, file, path));
  const result = schemaFor(options.catalog).safeParse(substituted);
  if (!result.success) {
    const issue = result.error.issues[0];
    if (issue === undefined) throw new InvalidExperimentError(file, '', 'is not a valid experiment');
    const problem = describeIssue(issue, substituted);
    throw new InvalidExperimentError(file, formatPath(problem.path), problem.expected + notSubstitutedHint(substituted, problem.path));
  }
  const parsed = result.data;
  const hypothesis = parsed['steady-state-hypothesis'];
  refuseMisusedFaults({ file, hypothesis, method: parsed.method, rollbacks: parsed.rollbacks });
  return {
    file,
    title: parsed.title,
    description: parsed.description,
    tags: parsed.tags,
    configuration: configuration.values,
    ...(hypothesis === undefined ? {} : { hypothesis }),
    method: parsed.method,
    rollbacks: parsed.rollbacks,
    rollbackStrategy: rollbackStrategy(parsed),
    ...(parsed.recovery === undefined
      ? {}
      : { recovery: { ...parsed.recovery, availability: availabilityList(parsed.recovery.availability) } }),
    ...(parsed['stop-conditions'] === undefined ? {} : { stopConditions: parsed['stop-conditions'] }),
    activityTimeout: parsed['activity-timeout'],
    document,
    secretValues: secrets.texts,
  };
}

/** Parses and validates the text of an experiment file. Throws only `InvalidExperimentError`. */
export function parseExperimentText(text: string, file: string, options: LoadOptions): Experiment {
  const { document, floats } = parseText(text, file);
  return parseExperimentDocument(document, file, options, floats);
}

/** chaostoolkit's validate_process_activity: every process `path` must be found and executable when validating. */
async function refuseMissingExecutables(experiment: Experiment, options: LoadOptions): Promise<void> {
  const cwd = options.cwd ?? process.cwd();
  for (const { activity, path } of allActivities(experiment)) {
    const provider = activity.provider;
    if (provider.type !== 'process' || (await resolveExecutable(provider.path, cwd, options.env.PATH)) !== null) continue;
    throw new InvalidExperimentError(
      experiment.file,
      formatPath([...path, 'provider', 'path']),
      `executable "${provider.path}" is not found (on PATH or relative to ${cwd}) or not executable; fix the path or chmod +x it`,
    );
  }
}

/** Reads, parses and validates an experiment file. */
export async function loadExperiment(file: string, readPath: string, options: LoadOptions): Promise<Experiment> {
  let text: string;
  try {
    text = await readFile(readPath, 'utf8');
  } catch (error) {
    const code = systemErrorCode(error) ?? 'unreadable';
    throw new InvalidExperimentError(file, '', code === 'ENOENT' ? 'no such file' : `cannot be read (${code})`);
  }
  const experiment = parseExperimentText(text, file, options);
  await refuseMissingExecutables(experiment, options);
  return experiment;
}
