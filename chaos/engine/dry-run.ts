import type { PlatformOutputs } from '../../contract/outputs';
import type { Activity, Experiment, Provider } from '../model/types';
import { toleranceToJson } from '../model/to-json';
import { rollbackSkipReason } from './rollback';
import { sampleTargetFor } from './sampling';

function describeProvider(provider: Provider, outputs: PlatformOutputs | null): string {
  switch (provider.type) {
    case 'process':
      return `run ${[provider.path, ...provider.arguments].map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')} (no shell${provider.timeout ? `, timeout ${provider.timeout}s` : ''})`;
    case 'http':
      return `${provider.method} ${provider.url}${provider.expectedStatus ? ` expecting ${provider.expectedStatus}` : ''}`;
    case 'fault':
      return `${provider.id}: ${outputs === null ? JSON.stringify(provider.arguments) : provider.bound.describe(outputs)}${provider.bound.destructive ? ' [destructive]' : ''}`;
  }
}

function describeActivity(activity: Activity, outputs: PlatformOutputs | null): string {
  const tolerance =
    activity.type === 'probe' && activity.tolerance ? `; tolerance ${JSON.stringify(toleranceToJson(activity.tolerance))}` : '';
  const pauses = [
    activity.pauses.before > 0 ? `wait ${activity.pauses.before}s before` : '',
    activity.pauses.after > 0 ? `wait ${activity.pauses.after}s after` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `${activity.type} "${activity.name}"${activity.background ? ' (background)' : ''}: ${describeProvider(activity.provider, outputs)}${tolerance}${pauses ? ` (${pauses})` : ''}`;
}

/** What a run would do, step by step, without doing any of it (`--dry-run`). */
export function describePlan(experiment: Experiment, outputs: PlatformOutputs | null): string[] {
  const lines: string[] = [`experiment: ${experiment.title} (${experiment.file})`];
  const h = experiment.hypothesis;
  lines.push(h ? `1. steady state before: "${h.title}"` : '1. steady state before: none declared');
  h?.probes.forEach((p) => lines.push(`   - ${describeActivity(p, outputs)}`));
  lines.push('2. method (stops at the first failed action):');
  experiment.method.forEach((a) => lines.push(`   - ${describeActivity(a, outputs)}`));
  const r = experiment.recovery;
  if (r) {
    const a = r.availability;
    const target = a ? sampleTargetFor(experiment, a, outputs) : null;
    lines.push(`3. recovery: steady state again within ${r.within}s of the first action, polled every ${r.poll}s`);
    if (a)
      lines.push(`   - sample ${target?.url ?? `probe "${a.probe}"`} ${a.rate}/s from the first action; availability must be >= ${a.min}%`);
  } else {
    lines.push('3. recovery: no objective declared');
  }
  lines.push(h ? '4. steady state after: the same probes again' : '4. steady state after: none declared');
  const never = rollbackSkipReason({ strategy: experiment.rollbackStrategy, methodStarted: true, status: 'failed', deviated: true });
  lines.push(`5. rollbacks (strategy ${experiment.rollbackStrategy})${never ? `: skipped, ${never}` : ':'}`);
  const undoable = experiment.method.filter((a) => a.provider.type === 'fault' && a.provider.bound.rollback !== null);
  undoable.reverse().forEach((a) => lines.push(`   - undo "${a.name}" (${a.provider.type === 'fault' ? a.provider.id : ''})`));
  experiment.rollbacks.forEach((a) => lines.push(`   - ${describeActivity(a, outputs)}`));
  if (!never && undoable.length === 0 && experiment.rollbacks.length === 0) lines.push('   - none declared');
  return lines;
}
