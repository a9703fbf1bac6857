import { PlanJson, ResourceChange, changeKind } from './plan-json';
import { AttributeDiff, ReviewedChange, assessRisk, copyCounts } from './risk';

type Path = readonly (string | number)[];

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Attribute-level differences, descending into blocks; `(known after apply)` where the plan cannot know. */
export function attributeDiffs(change: ResourceChange): AttributeDiff[] {
  const replacePaths = (change.change.replace_paths ?? []).map((p) => p.join('.'));
  const diffs: AttributeDiff[] = [];
  const walk = (before: unknown, after: unknown, unknown: unknown, path: Path): void => {
    if (unknown === true) {
      if (before !== undefined && before !== null) push(path, before, '(known after apply)');
      return;
    }
    if (isObject(before) && isObject(after)) {
      for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
        walk(before[key], after[key], isObject(unknown) ? unknown[key] : undefined, [...path, key]);
      }
      return;
    }
    if (Array.isArray(before) && Array.isArray(after) && before.length === after.length && before.every(isObject)) {
      before.forEach((b, i) => walk(b, after[i], Array.isArray(unknown) ? unknown[i] : undefined, [...path, i]));
      return;
    }
    if (JSON.stringify(before ?? null) !== JSON.stringify(after ?? null)) push(path, before, after);
  };
  const push = (path: Path, before: unknown, after: unknown) => {
    const dotted = path.join('.');
    // tags_all mirrors tags plus the provider's default tags: one line for both is enough.
    if (dotted.startsWith('tags_all')) return;
    diffs.push({ path: dotted, before, after, forcesReplacement: replacePaths.some((p) => dotted === p || dotted.startsWith(`${p}.`)) });
  };
  walk(change.change.before ?? {}, change.change.after ?? {}, change.change.after_unknown, []);
  return diffs;
}

/** Every managed resource the plan touches, with its diffs and risk flags (no-ops and reads left out). */
export function reviewChanges(plan: PlanJson): ReviewedChange[] {
  // The copies of each service the plan leaves (no-ops included): a copy rolling while another serves is no downtime.
  const copies = copyCounts(
    plan.resource_changes.filter((c) => c.mode === 'managed').map((c) => ({ type: c.type, after: c.change.after })),
  );
  return plan.resource_changes
    .filter((c) => c.mode === 'managed')
    .map((c) => ({ c, kind: changeKind(c.change.actions) }))
    .filter(({ kind }) => kind !== 'no-op' && kind !== 'read')
    .map(({ c, kind }) => {
      const base = { address: c.address, type: c.type, kind, diffs: kind === 'update' || kind === 'replace' ? attributeDiffs(c) : [] };
      return { ...base, flags: assessRisk(base, c.change.after, copies, c.change.before) };
    });
}
