import { isAbsolute, resolve } from 'node:path';
import { FAULT_CATALOG } from '../drivers';
import { allActivities } from '../engine/located-activities';
import { preflight } from '../engine/preflight';
import { InvalidExperimentError, InvalidOutputsError } from '../errors';
import type { CliIo } from '../io';
import { awsClientFactories } from '../adapters/aws-clients';
import { loadExperiment } from '../model/load-experiment';
import type { Experiment } from '../model/types';
import { bindTarget, type TargetBinding } from '../targets/bind-target';
import { loadOutputs } from '../targets/outputs-discovery';
import type { LoadedOutputs } from '../targets/outputs-reader';

export interface ValidateCommandOptions {
  readonly experiments: readonly string[];
  readonly outputs: string | undefined;
  readonly stack: string | undefined;
  /** `--host-access`: overrides the outputs' `hostAccess`. */
  readonly hostAccess?: 'ssm' | 'ssh' | undefined;
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
): Promise<{ ok: string } | { problem: string }> {
  try {
    const experiment = await loadExperiment(file, isAbsolute(file) ? file : resolve(io.cwd, file), {
      catalog: FAULT_CATALOG,
      env: io.env,
      cwd: io.cwd,
    });
    if (outputs !== null) await preflight(experiment, outputs, target, io.cwd, io.env.PATH);
    return { ok: summary(experiment) };
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
export async function validateCommand(options: ValidateCommandOptions, io: CliIo): Promise<number> {
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
  for (const file of options.experiments) {
    const result = await check(file, io, outputs, target);
    if ('ok' in result) {
      io.stdout(`ok ${file}: ${result.ok}\n`);
    } else {
      io.stderr(`chaos: ${result.problem}\n`);
      code = EXIT_BAD_INPUT;
    }
  }
  return code;
}
