import { InvalidExperimentError } from '../errors';
import { formatPath } from './issue-path';
import { isJsonObject, type JsonObject, type JsonValue } from '../../contract/json';

/**
 * What chaostoolkit 1.x files may hold that our schema does not model directly: `{ref: name}`
 * activities (replaced by the activity they name) and `controls` (Python extensions, refused by
 * name rather than silently ignored).
 */

const ACTIVITY_LISTS = ['method', 'rollbacks'] as const;

function activities(doc: JsonObject): { path: (string | number)[]; value: JsonValue }[] {
  const found: { path: (string | number)[]; value: JsonValue }[] = [];
  const hypothesis = doc['steady-state-hypothesis'];
  if (isJsonObject(hypothesis) && Array.isArray(hypothesis.probes)) {
    hypothesis.probes.forEach((value, i) => found.push({ path: ['steady-state-hypothesis', 'probes', i], value }));
  }
  for (const list of ACTIVITY_LISTS) {
    const items = doc[list];
    if (Array.isArray(items)) items.forEach((value, i) => found.push({ path: [list, i], value }));
  }
  return found;
}

function refuseControls(doc: JsonObject, file: string): void {
  const message = 'controls are chaostoolkit Python extensions and are not supported; remove them';
  if (doc.controls !== undefined) throw new InvalidExperimentError(file, 'controls', message);
  const hypothesis = doc['steady-state-hypothesis'];
  if (isJsonObject(hypothesis) && hypothesis.controls !== undefined) {
    throw new InvalidExperimentError(file, 'steady-state-hypothesis.controls', message);
  }
  for (const { path, value } of activities(doc)) {
    if (isJsonObject(value) && value.controls !== undefined)
      throw new InvalidExperimentError(file, formatPath([...path, 'controls']), message);
  }
}

const DRY_RUN_HINT =
  'dry runs are not supported in the experiment file; remove it and use `chaos run --dry-run` (describes every activity, runs none)';

/** chaostoolkit's dry-run switches (`dry_run`/`dry` at the top, `dry` on an activity): refused by name, never ignored. */
function refuseDryRunKeys(doc: JsonObject, file: string): void {
  for (const key of ['dry_run', 'dry']) {
    if (doc[key] !== undefined) throw new InvalidExperimentError(file, key, DRY_RUN_HINT);
  }
  for (const { path, value } of activities(doc)) {
    if (isJsonObject(value) && value.dry !== undefined) throw new InvalidExperimentError(file, formatPath([...path, 'dry']), DRY_RUN_HINT);
  }
}

function resolveRefs(doc: JsonObject, file: string): JsonObject {
  const named = new Map<string, JsonObject>();
  for (const { value } of activities(doc)) {
    if (isJsonObject(value) && typeof value.name === 'string' && value.ref === undefined && !named.has(value.name)) {
      named.set(value.name, value);
    }
  }
  const out: JsonObject = { ...doc };
  for (const list of ACTIVITY_LISTS) {
    const items = doc[list];
    if (!Array.isArray(items)) continue;
    out[list] = items.map((item, i) => {
      if (!isJsonObject(item) || item.ref === undefined) return item;
      const path = formatPath([list, i, 'ref']);
      if (typeof item.ref !== 'string') throw new InvalidExperimentError(file, path, 'expected the name of an activity');
      if (Object.keys(item).length > 1) throw new InvalidExperimentError(file, formatPath([list, i]), 'a ref activity holds only "ref"');
      const target = named.get(item.ref);
      if (target === undefined) {
        throw new InvalidExperimentError(file, path, `no activity named "${item.ref}" (named: ${[...named.keys()].join(', ') || 'none'})`);
      }
      return target;
    });
  }
  return out;
}

/** Applies the compatibility rules; the result goes through the one schema like any experiment. */
export function normalizeChaostoolkit(doc: JsonObject, file: string): JsonObject {
  refuseControls(doc, file);
  refuseDryRunKeys(doc, file);
  return resolveRefs(doc, file);
}
