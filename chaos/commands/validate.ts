import { FAULT_CATALOG } from '../drivers';
import { allActivities } from '../engine/located-activities';
import { preflight } from '../engine/preflight';
import type { CliIo } from '../io';
import { awsClientFactories } from '../adapters/aws-clients';
import { bindTarget } from '../targets/bind-target';
import { loadOutputs } from '../targets/outputs-discovery';
import { loadExperiments } from './load';

export interface ValidateCommandOptions {
  readonly experiments: readonly string[];
  readonly outputs: string | undefined;
  readonly stack: string | undefined;
}

/** `chaos validate`: every file against the schema; with --outputs, fault targets too. */
export async function validateCommand(options: ValidateCommandOptions, io: CliIo): Promise<number> {
  const experiments = await loadExperiments(options.experiments, io, FAULT_CATALOG);
  const outputs =
    options.outputs === undefined
      ? null
      : await loadOutputs({ cwd: io.cwd, file: options.outputs, ...(options.stack === undefined ? {} : { stack: options.stack }) });
  // No AWS client is made unless a fault runs, and validate runs none.
  const target = outputs === null ? null : bindTarget(outputs.outputs, { clients: awsClientFactories(outputs.outputs.region) });
  for (const experiment of experiments) {
    if (outputs !== null) await preflight(experiment, outputs, target, io.cwd, io.env.PATH);
    const activities = allActivities(experiment).length;
    io.stdout(
      `ok ${experiment.file}: "${experiment.title}" (${activities} activities${experiment.recovery ? `, recovery within ${experiment.recovery.within}s` : ''})\n`,
    );
  }
  return 0;
}
