import type { TargetBinding } from '../targets/bind-target';
import type { Activity, Experiment, Provider } from '../model/types';
import { toleranceToJson } from '../model/to-json';
import { activityTimeoutSeconds } from './activity-limit';
import { rollbackSkipReason } from './rollback';
import { sampleTargetFor } from './sampling';

function describeProvider(provider: Provider, target: TargetBinding | null): string {
  switch (provider.type) {
    case 'process':
      return `run ${[provider.path, ...provider.arguments].map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')} (no shell) [needs --yes]`;
    case 'http':
      return `${provider.method} ${provider.url}${provider.expectedStatus ? ` expecting ${provider.expectedStatus}` : ''}`;
    case 'fault':
      return `${provider.id}: ${target === null ? JSON.stringify(provider.arguments) : provider.bound.describe(target)}${provider.bound.destructive ? ' [destructive]' : ''}`;
  }
}

function describeActivity(activity: Activity, target: TargetBinding | null, defaultTimeout: number): string {
  const tolerance =
    activity.type === 'probe' && activity.tolerance ? `; tolerance ${JSON.stringify(toleranceToJson(activity.tolerance))}` : '';
  const pauses = [
    activity.pauses.before > 0 ? `wait ${activity.pauses.before}s before` : '',
    activity.pauses.after > 0 ? `wait ${activity.pauses.after}s after` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const timeout = `; timeout ${activityTimeoutSeconds(activity, defaultTimeout)}s`;
  return `${activity.type} "${activity.name}"${activity.background ? ' (background)' : ''}: ${describeProvider(activity.provider, target)}${tolerance}${timeout}${pauses ? ` (${pauses})` : ''}`;
}

/** What a run would do, step by step, without doing any of it (`--dry-run`). */
export function describePlan(experiment: Experiment, target: TargetBinding | null): string[] {
  const lines: string[] = [`experiment: ${experiment.title} (${experiment.file})`];
  const describe = (a: Activity): string => describeActivity(a, target, experiment.activityTimeout);
  const h = experiment.hypothesis;
  lines.push(h ? `1. steady state before: "${h.title}"` : '1. steady state before: none declared');
  h?.probes.forEach((p) => lines.push(`   - ${describe(p)}`));
  lines.push('2. method (stops at the first failed fault action; process and http ones are recorded and it goes on):');
  experiment.method.forEach((a) => lines.push(`   - ${describe(a)}`));
  const r = experiment.recovery;
  if (r) {
    lines.push(
      `3. recovery: steady state again within ${r.within}s of the first action (a poll running then is stopped), polled every ${r.poll}s`,
    );
    for (const a of r.availability) {
      const sampled = sampleTargetFor(experiment, a, target?.outputs ?? null);
      lines.push(
        `   - sample ${sampled?.url ?? `probe "${a.probe}"`} ${a.rate}/s from the first action${a.min === undefined ? ' (measured, not judged)' : `; availability must be >= ${a.min}%`}`,
      );
    }
  } else {
    lines.push('3. recovery: no objective declared');
  }
  lines.push(h ? '4. steady state after: the same probes again' : '4. steady state after: none declared');
  // Only "never" skips the experiment's rollbacks whatever happens; "default" and "deviated" depend on
  // the verdict. The faults' undo runs whatever the strategy.
  const never = rollbackSkipReason({ strategy: experiment.rollbackStrategy, status: 'completed', deviated: true });
  const when =
    experiment.rollbackStrategy === 'default'
      ? ', unless the run fails or is interrupted'
      : experiment.rollbackStrategy === 'deviated'
        ? ', only if the steady state deviates'
        : '';
  lines.push(`5. rollbacks (strategy ${experiment.rollbackStrategy}${when})${never ? `: skipped, ${never}` : ':'}`);
  const undoable = experiment.method.filter((a) => a.provider.type === 'fault' && a.provider.bound.rollback !== null);
  undoable
    .reverse()
    .forEach((a) =>
      lines.push(`   - undo "${a.name}" (${a.provider.type === 'fault' ? a.provider.id : ''}), if it ran, whatever the strategy`),
    );
  if (!never) experiment.rollbacks.forEach((a) => lines.push(`   - ${describe(a)}`));
  if (undoable.length === 0 && experiment.rollbacks.length === 0) lines.push('   - none declared');
  return lines;
}
