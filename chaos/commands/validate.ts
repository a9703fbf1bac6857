import { isAbsolute, resolve } from 'node:path';
import { FAULT_CATALOG } from '../drivers';
import { allActivities } from '../engine/located-activities';
import { preflight } from '../engine/preflight';
import { InvalidExperimentError, InvalidOutputsError, UsageError } from '../errors';
import type { CliIo } from '../io';
import { awsClientFactories } from '../adapters/aws-clients';
import { loadExperiment } from '../model/load-experiment';
import type { Experiment, ExperimentVars } from '../model/types';
import { readCommandVars, refuseUndeclaredVars } from './vars';
import { writeJson } from './json-output';
import { bindTarget, type TargetBinding } from '../targets/bind-target';
import { loadOutputs } from '../targets/outputs-discovery';
import type { LoadedOutputs } from '../targets/outputs-reader';

export interface ValidateCommandOptions {
  readonly experiments: readonly string[];
  readonly outputs: string | undefined;
  readonly stack: string | undefined;
  /** `--host-access`: overrides the outputs' `hostAccess`. */
  readonly hostAccess?: 'ssm' | 'ssh' | undefined;
  /** `--json`: one JSON object on stdout instead of the `ok` lines (see json-output.ts). */
  readonly json?: boolean;
  /** `--var name[:type]=value`, over the experiments' configuration. */
  readonly vars?: readonly string[];
  /** `--var-file`: JSON/YAML `{configuration, secrets}` or `.env`, in order. */
  readonly varFiles?: readonly string[];
}

/** Bad input, as the CLI's exit codes say (validate reports every file, then exits once). */
const EXIT_BAD_INPUT = 2;

function summary(experiment: Experiment): string {
  const activities = allActivities(experiment).length;
  return `"${experiment.title}" (${activities} activities${experiment.recovery ? `, recovery within ${experiment.recovery.within}s` : ''})`;
}

/** One file: loaded, and with outputs checked as a run would check it. Returns its problem, or null. */
async function check(
  file: string,
  io: CliIo,
  outputs: LoadedOutputs | null,
  target: TargetBinding | null,
  vars: ExperimentVars,
): Promise<{ ok: string; experiment: Experiment } | { problem: string }> {
  try {
    const experiment = await loadExperiment(file, isAbsolute(file) ? file : resolve(io.cwd, file), {
      catalog: FAULT_CATALOG,
      env: io.env,
      vars,
      cwd: io.cwd,
    });
    if (outputs !== null) await preflight(experiment, outputs, target);
    return { ok: summary(experiment), experiment };
  } catch (error) {
    // Only what is wrong with this file is reported here; anything else is the CLI's to report.
    if (error instanceof InvalidExperimentError || error instanceof InvalidOutputsError) return { problem: error.message };
    throw error;
  }
}

/**
 * `chaos validate`: every file against the schema (with --outputs, against the target too), one
 * line per file: `ok <file>: …` on stdout or `chaos: <file>: <problem>` on stderr; exit 2 when any
 * is bad. Outputs that cannot be used are one line for all (the files cannot be checked against them).
 */
export async function validateCommand(options: ValidateCommandOptions, given: CliIo): Promise<number> {
  const commandVars = readCommandVars(options.vars ?? [], options.varFiles ?? [], given.cwd, given.env);
  const io: CliIo = { ...given, env: commandVars.env };
  const outputs =
    options.outputs === undefined
      ? null
      : await loadOutputs({ cwd: io.cwd, file: options.outputs, ...(options.stack === undefined ? {} : { stack: options.stack }) });
  // No AWS client is made unless a fault runs, and validate runs none.
  const target =
    outputs === null
      ? null
      : bindTarget(outputs.outputs, { clients: awsClientFactories(outputs.outputs.region), hostAccess: options.hostAccess });
  let code = 0;
  const json = options.json === true;
  const loaded: Experiment[] = [];
  const results: { file: string; valid: boolean; title: string | null; summary: string | null; problem: string | null }[] = [];
  for (const file of options.experiments) {
    const result = await check(file, io, outputs, target, commandVars.vars);
    if ('ok' in result) {
      if (!json) io.stdout(`ok ${file}: ${result.ok}\n`);
      results.push({ file, valid: true, title: result.experiment.title, summary: result.ok, problem: null });
      loaded.push(result.experiment);
    } else {
      io.stderr(`chaos: ${result.problem}\n`);
      results.push({ file, valid: false, title: null, summary: null, problem: result.problem });
      code = EXIT_BAD_INPUT;
    }
  }
  let error: string | null = null;
  if (loaded.length > 0) {
    try {
      refuseUndeclaredVars(commandVars, loaded);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      io.stderr(`chaos: ${e.message}\n`);
      error = e.message;
      code = EXIT_BAD_INPUT;
    }
  }
  if (json) writeJson(io, 'validate', code, { error, experiments: results });
  return code;
}
