import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Journal } from '../../contract/journal';
import type { JsonObject, JsonValue } from '../../contract/json';
import { isJsonObject } from '../../contract/json';

/** Writing journals: the engine's identity, secret redaction, atomic writes, the default path. */

export const ENGINE_NAME = 'ecs-chaos-platform';
export const ENGINE_VERSION = '0.1.0';

/** Replaces secret values in a text. */
export function redactText(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => out.split(secret).join('***'), text);
}

/** Replaces secret values wherever they appear in strings, so journals can be shared. */
export function redact(value: JsonValue, secrets: readonly string[]): JsonValue {
  if (secrets.length === 0) return value;
  if (typeof value === 'string') return redactText(value, secrets);
  if (Array.isArray(value)) return value.map((item) => redact(item, secrets));
  if (isJsonObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = redact(v, secrets);
    return out;
  }
  return value;
}

/** Writes the journal atomically: a reader never sees half a file, even after an interruption. */
export async function writeJournal(path: string, journal: Journal): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(journal, null, 2)}\n`, 'utf8');
  await rename(tmp, path);
}

/** `journals/<slug>-<timestamp>.json`. */
export function defaultJournalPath(title: string, at: Date): string {
  const slug =
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'experiment';
  const stamp = at.toISOString().replace(/[:.]/g, '-');
  return `journals/${slug}-${stamp}.json`;
}
