import { InvalidExperimentError } from '../errors';
import { formatPath } from './issue-path';
import type { Activity, Experiment } from './types';

/**
 * A fault module is an action (it changes the system) or a probe (it only looks), and the activity
 * using it must say the same. A probe is run before anything is injected, polled while recovering,
 * sampled and run again after: a destructive fault written as one would be injected over and over,
 * outside the method and its rollbacks, and without the run recording it as a fault. An action
 * module written as a probe is refused for the same reason even when it is not destructive, and a
 * probe module written as an action is refused because the author evidently meant something else.
 */
function misuse(activity: Activity): string | null {
  const provider = activity.provider;
  if (provider.type !== 'fault' || provider.bound.kind === activity.type) return null;
  if (provider.bound.kind === 'action') {
    const what = provider.bound.destructive ? 'a destructive action' : 'an action';
    return `${provider.id} is ${what}, so it cannot be a probe (probes run again and again, and must only look); use it as type: action in the method`;
  }
  return `${provider.id} is a probe, so it cannot be an action; use it as type: probe`;
}

/** Refuses the first fault used as the other kind, naming where. */
export function refuseMisusedFaults(experiment: Pick<Experiment, 'file' | 'hypothesis' | 'method' | 'rollbacks'>): void {
  const check = (activity: Activity, path: readonly (string | number)[]): void => {
    const problem = misuse(activity);
    if (problem !== null) throw new InvalidExperimentError(experiment.file, formatPath([...path, 'provider', 'id']), problem);
    if (activity.type === 'probe' && activity.tolerance?.kind === 'probe') check(activity.tolerance.probe, [...path, 'tolerance']);
  };
  experiment.hypothesis?.probes.forEach((p, i) => check(p, ['steady-state-hypothesis', 'probes', i]));
  experiment.method.forEach((a, i) => check(a, ['method', i]));
  experiment.rollbacks.forEach((a, i) => check(a, ['rollbacks', i]));
}
