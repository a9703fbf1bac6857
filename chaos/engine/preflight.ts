import { InvalidExperimentError, InvalidOutputsError } from '../errors';
import { formatPath } from '../model/issue-path';
import type { Experiment } from '../model/types';
import { firstBlastRadiusViolation } from '../targets/blast-radius';
import { DEFAULT_OUTPUTS_FILES } from '../targets/outputs-discovery';
import type { TargetBinding } from '../targets/bind-target';
import type { LoadedOutputs } from '../targets/outputs-reader';
import { allActivities } from './located-activities';
import { resolveExecutable } from './providers/process';
import { sampleTargetFor } from './sampling';

/** A destructive fault the run would inject, for the `--yes` check and the dry run. */
export interface DestructiveFault {
  readonly activity: string;
  readonly id: string;
}

/**
 * Everything checked before a run touches anything: outputs present when faults need them, every
 * fault served by the target's adapters and inside the blast radius, every executable found, the
 * sampled probe resolvable. Throws the error the CLI reports; returns the destructive faults
 * (which need `--yes`).
 */
export async function preflight(
  experiment: Experiment,
  outputs: LoadedOutputs | null,
  target: TargetBinding | null,
  cwd: string,
  pathEnv: string | undefined,
): Promise<DestructiveFault[]> {
  const destructive: DestructiveFault[] = [];
  const located = allActivities(experiment);
  const faults = located.filter(({ activity }) => activity.provider.type === 'fault');
  if (faults.length > 0 && outputs === null) {
    const ids = [...new Set(faults.map(({ activity }) => (activity.provider.type === 'fault' ? activity.provider.id : '')))];
    throw new InvalidOutputsError(
      DEFAULT_OUTPUTS_FILES.join(' or '),
      '',
      `not found, and this experiment's faults (${ids.join(', ')}) need the stack outputs: pass --outputs <file>`,
    );
  }
  for (const { activity, path } of located) {
    const provider = activity.provider;
    switch (provider.type) {
      case 'fault': {
        if (outputs === null || target === null) break;
        const refused = target.refusal(provider.id, provider.bound.requires);
        if (refused !== null) {
          throw new InvalidExperimentError(
            experiment.file,
            formatPath([...path, 'provider', 'id']),
            `${refused} (outputs: ${outputs.file})`,
          );
        }
        const violation = firstBlastRadiusViolation(provider.bound.targets(outputs.outputs), outputs.outputs);
        if (violation !== null) {
          throw new InvalidExperimentError(
            experiment.file,
            formatPath([...path, 'provider', 'arguments']),
            `${violation} (outputs: ${outputs.file}); a fault may only target what the outputs name`,
          );
        }
        if (provider.bound.destructive) destructive.push({ activity: activity.name, id: provider.id });
        break;
      }
      case 'process':
        if ((await resolveExecutable(provider.path, cwd, pathEnv)) === null) {
          throw new InvalidExperimentError(
            experiment.file,
            formatPath([...path, 'provider', 'path']),
            `executable "${provider.path}" is not found (on PATH or relative to ${cwd}) or not executable`,
          );
        }
        break;
      case 'http':
        break;
    }
  }
  const availability = experiment.recovery?.availability;
  if (availability !== undefined && sampleTargetFor(experiment, availability, outputs?.outputs ?? null) === null) {
    throw new InvalidExperimentError(
      experiment.file,
      'recovery.availability.probe',
      `probe "${availability.probe}" cannot be sampled with these outputs`,
    );
  }
  return destructive;
}
