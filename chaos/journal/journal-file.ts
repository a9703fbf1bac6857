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

/**
 * Writes one journal file again and again as a run goes, each write atomic and in order: a write
 * asked for while one is in flight waits for it, and only the latest waiting version is written.
 * `checkpoint` resolves once that version (or a newer one) is on disk, so a run can record before it
 * acts, and never rejects (a failed checkpoint must not stop the rollbacks); the final `close`
 * does, so the run knows its record is missing.
 */
export class JournalWriter {
  private chain: Promise<void> = Promise.resolve();
  private pending: Journal | null = null;
  private lastError: unknown = null;

  constructor(private readonly path: string) {}

  /** Queues `journal` to be written (a newer call before it is written replaces it); resolves once written. */
  checkpoint(journal: Journal): Promise<void> {
    const queued = this.pending !== null;
    this.pending = journal;
    if (queued) return this.chain;
    this.chain = this.chain.then(async () => {
      const next = this.pending;
      this.pending = null;
      if (next === null) return;
      try {
        await writeJournal(this.path, next);
      } catch (error) {
        this.lastError = error;
      }
    });
    return this.chain;
  }

  /** Writes the final journal after every checkpoint; rejects when it cannot be written. */
  async close(journal: Journal): Promise<void> {
    this.pending = null;
    await this.chain;
    await writeJournal(this.path, journal);
    this.lastError = null;
  }

  /** The latest checkpoint error, if any (for a warning). */
  get error(): unknown {
    return this.lastError;
  }
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
