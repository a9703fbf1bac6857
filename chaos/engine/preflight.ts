import { InvalidExperimentError, InvalidOutputsError } from '../errors';
import { formatPath } from '../model/issue-path';
import type { Experiment } from '../model/types';
import { firstBlastRadiusViolation } from '../targets/blast-radius';
import { DEFAULT_OUTPUTS_FILES } from '../targets/outputs-discovery';
import type { TargetBinding } from '../targets/bind-target';
import type { LoadedOutputs } from '../targets/outputs-reader';
import { allActivities } from './located-activities';
import { sampleTargetFor } from './sampling';

/**
 * What needs `--yes`: a destructive fault the run would inject, or a process activity. A process
 * runs whatever its author wrote, wherever it sits (method, rollbacks, even a steady-state probe or
 * a tolerance probe), so nothing proves it harmless: every one counts.
 */
export interface DestructiveFault {
  readonly activity: string;
  /** The fault id, or the process's executable as written. */
  readonly id: string;
  readonly kind: 'fault' | 'process';
}

/** Says what needs `--yes` in one clause: `injects destructive faults (… in "…") and runs processes (…)`. */
export function needsYes(destructive: readonly DestructiveFault[]): string {
  const listed = (kind: DestructiveFault['kind']): string =>
    destructive
      .filter((d) => d.kind === kind)
      .map((d) => `${d.id} in "${d.activity}"`)
      .join(', ');
  const faults = listed('fault');
  const processes = listed('process');
  return [
    faults === '' ? '' : `injects destructive faults (${faults})`,
    processes === '' ? '' : `runs processes, which can do anything (${processes})`,
  ]
    .filter((clause) => clause !== '')
    .join(' and ');
}

/**
 * Everything checked before a run touches anything: outputs present when faults need them, every
 * fault served by the target's adapters and inside the blast radius (every executable was found at load), the
 * sampled probe resolvable. Throws the error the CLI reports; returns what needs `--yes`
 * (destructive faults and every process activity).
 */
export async function preflight(
  experiment: Experiment,
  outputs: LoadedOutputs | null,
  target: TargetBinding | null,
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
        if (provider.bound.destructive) destructive.push({ activity: activity.name, id: provider.id, kind: 'fault' });
        break;
      }
      case 'process':
        // Its executable was found when the experiment was loaded (load-experiment.ts).
        destructive.push({ activity: activity.name, id: provider.path, kind: 'process' });
        break;
      case 'http':
        break;
    }
  }
  (experiment.recovery?.availability ?? []).forEach((availability, i, all) => {
    if (sampleTargetFor(experiment, availability, outputs?.outputs ?? null) === null) {
      throw new InvalidExperimentError(
        experiment.file,
        all.length > 1 ? `recovery.availability[${i}].probe` : 'recovery.availability.probe',
        `probe "${availability.probe}" cannot be sampled with these outputs`,
      );
    }
  });
  return destructive;
}
