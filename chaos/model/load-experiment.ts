import { readFile } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { FaultCatalog } from '../faults/define-fault';
import { InvalidExperimentError, systemErrorCode } from '../errors';
import { normalizeChaostoolkit } from './chaostoolkit-compat';
import { resolveConfiguration, resolveSecrets, substitute, type Environment } from './configuration';
import { describeIssue } from './describe-issue';
import { availabilityList, experimentSchema, type ParsedExperiment } from './experiment-schema';
import { formatPath } from './issue-path';
import { refuseMisusedFaults } from './fault-kinds';
import { findNotJson, isJsonObject, isJsonValue, type JsonObject } from '../../contract/json';
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

/** Parses YAML or JSON (YAML 1.2 is a superset) into plain JSON, with line and column on errors. */
function parseText(text: string, file: string): JsonObject {
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
  return raw;
}

function rollbackStrategy(parsed: ParsedExperiment): RollbackStrategy {
  const declared = parsed['rollback-strategy'];
  if (declared !== undefined) return declared;
  // Naming none: chaostoolkit's "default" (faults are undone whatever the strategy: engine/runner.ts).
  return parsed.runtime?.rollbacks?.strategy ?? 'default';
}

const NOT_SUBSTITUTED = new Set(['configuration', 'secrets']);

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
export function parseExperimentDocument(document: JsonObject, file: string, options: LoadOptions): Experiment {
  const normalized = normalizeChaostoolkit(document, file);
  const configuration = resolveConfiguration(normalized.configuration, options.env, file, options.vars?.configuration);
  const secrets = resolveSecrets(normalized.secrets, options.env, file, options.vars?.secrets);
  const variables: JsonObject = { ...configuration, ...secrets };
  const substituted: JsonObject = {};
  for (const [key, value] of Object.entries(normalized)) {
    substituted[key] = NOT_SUBSTITUTED.has(key) ? value : substitute(value, variables, file, [key]);
  }
  const result = schemaFor(options.catalog).safeParse(substituted);
  if (!result.success) {
    const issue = result.error.issues[0];
    if (issue === undefined) throw new InvalidExperimentError(file, '', 'is not a valid experiment');
    const problem = describeIssue(issue, substituted);
    throw new InvalidExperimentError(file, formatPath(problem.path), problem.expected);
  }
  const parsed = result.data;
  const hypothesis = parsed['steady-state-hypothesis'];
  refuseMisusedFaults({ file, hypothesis, method: parsed.method, rollbacks: parsed.rollbacks });
  return {
    file,
    title: parsed.title,
    description: parsed.description,
    tags: parsed.tags,
    configuration,
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
    secretValues: Object.values(secrets).filter((v): v is string => typeof v === 'string' && v.length > 0),
  };
}

/** Parses and validates the text of an experiment file. Throws only `InvalidExperimentError`. */
export function parseExperimentText(text: string, file: string, options: LoadOptions): Experiment {
  return parseExperimentDocument(parseText(text, file), file, options);
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
