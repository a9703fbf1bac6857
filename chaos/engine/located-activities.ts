import type { Activity, Experiment } from '../model/types';

/** An activity and where it sits in the experiment file, for messages that point at it. */
export interface LocatedActivity {
  readonly path: readonly (string | number)[];
  readonly activity: Activity;
  readonly phase: 'steady-state-hypothesis' | 'method' | 'rollbacks' | 'stop-conditions';
}

/** Every activity of an experiment, tolerance probes included, with its path. */
export function allActivities(experiment: Experiment): LocatedActivity[] {
  const found: LocatedActivity[] = [];
  const add = (activity: Activity, path: (string | number)[], phase: LocatedActivity['phase']): void => {
    found.push({ activity, path, phase });
    if (activity.type === 'probe' && activity.tolerance?.kind === 'probe') add(activity.tolerance.probe, [...path, 'tolerance'], phase);
  };
  experiment.hypothesis?.probes.forEach((p, i) => add(p, ['steady-state-hypothesis', 'probes', i], 'steady-state-hypothesis'));
  experiment.method.forEach((a, i) => add(a, ['method', i], 'method'));
  experiment.rollbacks.forEach((a, i) => add(a, ['rollbacks', i], 'rollbacks'));
  experiment.stopConditions?.probes.forEach((p, i) => add(p, ['stop-conditions', 'probes', i], 'stop-conditions'));
  return found;
}
