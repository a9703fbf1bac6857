import type { Experiment } from '../model/types';
import type { TargetBinding } from '../targets/bind-target';

/**
 * `--dry-run --live`: for each fault action of the method, what it would act on right now, asked
 * read-only through the bound target (each module's `live`, List/Describe calls only). A lookup that
 * fails is said on its line rather than thrown: the plan is a report, and the run would meet the same.
 */
export async function livePlan(experiment: Experiment, target: TargetBinding | null, signal: AbortSignal): Promise<string[]> {
  const lines: string[] = [];
  for (const activity of experiment.method) {
    if (activity.type !== 'action' || activity.provider.type !== 'fault') continue;
    const { id, bound } = activity.provider;
    if (target === null) {
      lines.push(`   live: ${id}: no outputs, nothing live to check`);
      continue;
    }
    let said: string | null;
    try {
      said = bound.live ? await bound.live(target, signal) : null;
    } catch (error) {
      said = `lookup failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    lines.push(`   live: ${id} ${said ?? `has nothing live to check on the ${target.outputs.target} target (no read-only lookup here)`}`);
  }
  return lines;
}
